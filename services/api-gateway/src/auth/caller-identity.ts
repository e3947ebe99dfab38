import { ErrorCatalogue } from '@shop/contracts'
import {
  AppError,
  INTERNAL_AUTH_HEADER,
  requireUserId,
  requireUserIdQuery,
  USER_ID_HEADER,
} from '@shop/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AccessTokenVerifier } from './access-token-verifier.ts'
import { TokenRefused } from './access-token-verifier.ts'
import { bearerTokenOf, challenge } from './bearer-token.ts'
import { IssuerUnreachable } from './issuer-keys.ts'
import { TicketRefused, type WebSocketTickets } from './ws-tickets.ts'

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>
type UpstreamHeaders = Record<string, string | string[] | undefined>

/** Who is calling, as the gateway's mode (AUTH_MODE) establishes it, and what the services are told. */
export interface CallerIdentity {
  mode: 'header' | 'oidc'
  /** onRequest hook of the business routes: sets request.userId, or refuses the request. */
  identify: Hook
  /** onRequest hook of `GET /ws`, where a browser cannot send headers. */
  identifyWebSocket: Hook
  /** Tickets for `GET /ws`, in oidc mode. */
  tickets?: WebSocketTickets
  /** Makes the headers of a request to a service say who calls, and that the gateway sends it. */
  stampUpstream(request: FastifyRequest, headers: UpstreamHeaders): void
}

const stampInternalAuth = (internalAuthToken: string | undefined) => (headers: UpstreamHeaders) => {
  // A client's own copy never reaches a service, whether or not the gateway has one to send.
  if (internalAuthToken === undefined) delete headers[INTERNAL_AUTH_HEADER]
  else headers[INTERNAL_AUTH_HEADER] = internalAuthToken
}

/** AUTH_MODE=header: the caller is whatever X-User-Id (or `?user_id=` on /ws) says, passed on as sent. */
export function headerIdentity(internalAuthToken: string | undefined): CallerIdentity {
  const stamp = stampInternalAuth(internalAuthToken)
  return {
    mode: 'header',
    identify: requireUserId,
    identifyWebSocket: requireUserIdQuery,
    stampUpstream: (_request, headers) => stamp(headers),
  }
}

const asUser = (request: FastifyRequest, userId: string) => {
  request.userId = userId
  request.log = request.log.child({ user_id: userId })
}

/**
 * AUTH_MODE=oidc: the caller is the user a verified access token names. A client's X-User-Id is
 * never believed: the services get the token's user in its place, and never the token itself.
 */
export function oidcIdentity(options: {
  verify: AccessTokenVerifier
  tickets: WebSocketTickets
  internalAuthToken: string | undefined
}): CallerIdentity {
  const stamp = stampInternalAuth(options.internalAuthToken)
  return {
    mode: 'oidc',
    tickets: options.tickets,
    async identify(request, reply) {
      const token = bearerTokenOf(request, reply)
      try {
        asUser(request, await options.verify(token))
      } catch (error) {
        if (error instanceof TokenRefused) {
          request.log.info({ reason: error.message }, 'access token refused')
          challenge(reply, 'invalid_token', error.message)
          throw new AppError(ErrorCatalogue.invalidToken, error.message)
        }
        if (error instanceof IssuerUnreachable) {
          request.log.warn({ err: error }, 'identity provider unreachable')
          reply.header('retry-after', '5')
          throw new AppError(
            ErrorCatalogue.identityProviderUnavailable,
            'The signing key of this token cannot be fetched from its issuer right now; retry shortly',
          )
        }
        throw error
      }
    },
    async identifyWebSocket(request) {
      const ticket = (request.query as Record<string, unknown> | undefined)?.ticket
      if (typeof ticket !== 'string') {
        throw new AppError(
          { ...ErrorCatalogue.invalidWebSocketTicket, title: 'Missing WebSocket ticket' },
          'Connect with ?ticket=<ticket> from POST /ws/tickets',
        )
      }
      try {
        asUser(request, await options.tickets.redeem(ticket))
      } catch (error) {
        if (!(error instanceof TicketRefused)) throw error
        throw new AppError(
          ErrorCatalogue.invalidWebSocketTicket,
          `${error.message}: get a new one from POST /ws/tickets`,
        )
      }
    },
    stampUpstream(request, headers) {
      headers[USER_ID_HEADER] = request.userId
      delete headers.authorization
      stamp(headers)
    },
  }
}
