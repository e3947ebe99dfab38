import { BearerLiveRoutes } from '@shop/contracts'
import type { FastifyPluginAsync } from 'fastify'
import type { CallerIdentity } from '../auth/caller-identity.ts'
import type { RateLimits } from './rate-limit.ts'

/** What a browser needs to sign in: the mode, and in oidc mode where and as which client. */
export type AuthSettingsForPages =
  | { mode: 'header' }
  | { mode: 'oidc'; issuer: string; client_id: string; audience: string }

export interface AuthRoutesOptions {
  identity: CallerIdentity
  rateLimits: RateLimits
  forPages: AuthSettingsForPages
}

/**
 * `GET /auth/config`, which tells the storefront how to sign in (not an API operation: like the
 * page itself it is left out of the OpenAPI document), and in oidc mode `POST /ws/tickets`, which
 * trades a bearer token for a ticket that opens the WebSocket once.
 */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, options) => {
  app.get('/auth/config', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send(options.forPages),
  )

  const { tickets } = options.identity
  if (tickets === undefined) return
  const { perClientIp, perUser } = options.rateLimits
  app.route({
    ...BearerLiveRoutes.issueTicket,
    onRequest: [perClientIp, options.identity.identify, perUser].filter((hook) => hook !== undefined),
    handler: async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await tickets.issue(request.userId)),
  })
}
