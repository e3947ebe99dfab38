import { type TObject, Type } from 'typebox'
import { LiveRoutes } from './live.ts'
import { emptyResponse, header, jsonResponse, mergeResponses, problemResponse } from './responses.ts'
import type { Documented, RouteDefinition } from './route.ts'
import { anyRoute } from './service-answers.ts'

/** The OpenAPI security scheme of the gateway in oidc mode: an OpenID Connect access token. */
export const BEARER_SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An access token of the configured OpenID Connect issuer (OIDC_ISSUER) for this API (OIDC_AUDIENCE), ' +
      'signed with RS256, ES256 or EdDSA. The user is its OIDC_USER_CLAIM (`sub`); X-User-Id is ignored.',
  },
} as const

const UNAUTHORIZED = {
  401: problemResponse(
    '`missing_bearer_token`: no `Authorization: Bearer` token. `invalid_token`: the token is malformed, ' +
      'forged, expired, not yet valid, for another issuer or audience, or signed with a key the issuer ' +
      'does not publish.',
    {
      'www-authenticate': header(
        Type.String(),
        'The RFC 6750 challenge: `Bearer realm="shop"`, with `error` and `error_description` when a token was sent.',
        { required: true },
      ),
    },
  ),
  503: problemResponse(
    '`identity_provider_unavailable`: the key that signed the token is not cached and its issuer cannot be reached.',
  ),
}

const withoutUserIdHeader = (headers: TObject | undefined) => {
  if (headers === undefined) return undefined
  const { 'x-user-id': _userId, ...others } = headers.properties
  return Object.keys(others).length === 0 ? undefined : Type.Object(others)
}

/**
 * A business route as the gateway serves it in oidc mode: it needs a bearer token, may answer 401
 * and the issuer's 503, and takes no X-User-Id (the gateway sets it from the token).
 */
export function withBearerAuth<const R extends RouteDefinition>(route: Documented<R>): Documented<R> {
  const { headers, ...schema } = route.schema
  const others = withoutUserIdHeader(headers as TObject | undefined)
  return {
    ...route,
    schema: {
      ...schema,
      ...(others ? { headers: others } : {}),
      security: [{ bearerAuth: [] }],
      response: mergeResponses(route.schema.response, UNAUTHORIZED),
    },
  }
}

export const WebSocketTicket = Type.Object(
  {
    ticket: Type.String({ description: 'Opens one socket: `GET /ws?ticket=<ticket>`.' }),
    expires_in: Type.Integer({ minimum: 1, description: 'Seconds the ticket is valid for.' }),
  },
  { additionalProperties: false },
)

export const LiveTicketQuery = Type.Object(
  {
    ticket: Type.String({ minLength: 1, maxLength: 2048, description: 'A ticket from `POST /ws/tickets`.' }),
  },
  { additionalProperties: false },
)

/** What the gateway serves in oidc mode only: tickets for the WebSocket, and the WebSocket opened with one. */
export const BearerLiveRoutes = {
  issueTicket: withBearerAuth(
    anyRoute({
      method: 'POST',
      url: '/ws/tickets',
      schema: {
        operationId: 'issueWebSocketTicket',
        summary: 'Get a ticket that opens the live order status WebSocket once',
        description:
          'A browser cannot send Authorization on a WebSocket, and a token in a URL ends up in logs and ' +
          'histories. So the page asks for a ticket with its token, then opens `/ws?ticket=<ticket>` ' +
          'within `expires_in` seconds; a ticket opens one socket.',
        tags: ['orders'],
        response: { 201: jsonResponse(WebSocketTicket, 'A ticket for the caller.') },
      },
    }),
  ),
  orderStatus: {
    ...LiveRoutes.orderStatus,
    schema: {
      ...LiveRoutes.orderStatus.schema,
      description: `${LiveRoutes.orderStatus.schema.description.replace('?user_id=<uuid>', '?ticket=<ticket>')}`,
      querystring: LiveTicketQuery,
      response: mergeResponses(LiveRoutes.orderStatus.schema.response, {
        101: emptyResponse('Switched to the WebSocket: order status pushes follow.'),
        401: problemResponse(
          '`invalid_websocket_ticket`: the ticket is missing, forged, expired or already used.',
        ),
      }),
    },
  },
}
