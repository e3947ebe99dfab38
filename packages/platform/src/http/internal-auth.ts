import { createHash, timingSafeEqual } from 'node:crypto'
import { ErrorCatalogue } from '@shop/contracts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

/** The header that carries INTERNAL_AUTH_TOKEN from the gateway to the services. */
export const INTERNAL_AUTH_HEADER = 'x-internal-auth'

/** What anyone may reach: probes for the orchestrator, the API document for people. */
const OPEN_PATHS = /^\/(health|ready|docs)(\/|\?|$)/

// Digests have one length whatever was sent, so the comparison takes the same time for every guess.
const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * Refuses, with 401 `internal_auth_required`, every request but the open ones that does not carry
 * `token` in X-Internal-Auth: only the gateway knows it, so reaching a service's port directly is
 * no way around the gateway's checks. Compared in constant time, so the answer's timing says
 * nothing about how much of a guess was right.
 */
export function requireInternalAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token)
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (OPEN_PATHS.test(request.url)) return
    const given = request.headers[INTERNAL_AUTH_HEADER]
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) return
    throw new AppError(
      ErrorCatalogue.internalAuthRequired,
      'Requests reach this service through the gateway only',
    )
  })
}
