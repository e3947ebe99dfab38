import rateLimit from '@fastify/rate-limit'
import { ErrorCatalogue } from '@shop/contracts'
import { AppError, type HttpApp } from '@shop/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** An onRequest hook that counts the request and throws the 429 once its caller is over the limit. */
export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

const ONE_MINUTE_MS = 60_000
// Counters live in an LRU: big enough that an active user is not evicted (and so let off) by the
// traffic of others, small enough to stay a few MiB.
const TRACKED_CALLERS = 100_000

/**
 * The caller a request is counted against. The routes check X-User-Id before this runs, so it is
 * the validated, lower-cased user id (case variants share one budget); the client IP is only the
 * fallback for a request that carries no user.
 */
const callerOf = (request: FastifyRequest): string =>
  request.userId ? `user:${request.userId}` : `ip:${request.ip}`

/**
 * A per-caller limit of `perMinute` requests in a fixed one-minute window, as an onRequest hook
 * for the routes that should count: one store behind it, so those routes share a caller's budget.
 * Over the limit the answer is 429 `rate_limited` problem JSON with Retry-After (seconds until the
 * window resets). Undefined when `perMinute` is 0: no limit at all. Counters live in this process,
 * so each gateway instance counts on its own. X-User-Id is not authenticated, so this shares
 * capacity fairly between users; it does not stop a client that makes up new ids, which needs a
 * limit by client address in front of the gateway.
 */
export async function perCallerRateLimit(
  app: HttpApp,
  perMinute: number,
): Promise<RateLimitHook | undefined> {
  if (perMinute === 0) return undefined
  await app.register(rateLimit, {
    // Nothing is limited unless it is given the hook: /health, /ready, /metrics and /docs never are.
    global: false,
    max: perMinute,
    timeWindow: ONE_MINUTE_MS,
    cache: TRACKED_CALLERS,
    keyGenerator: callerOf,
  })
  const count = app.createRateLimit()

  return async (request, reply) => {
    const outcome = await count(request)
    if (outcome.isAllowed) return
    reply.header('x-ratelimit-limit', outcome.max)
    reply.header('x-ratelimit-remaining', outcome.remaining)
    reply.header('x-ratelimit-reset', outcome.ttlInSeconds)
    if (!outcome.isExceeded) return
    reply.header('retry-after', outcome.ttlInSeconds)
    // The platform's error handler answers it as problem JSON, like every AppError.
    throw new AppError(
      ErrorCatalogue.rateLimited,
      `At most ${outcome.max} requests a minute per user; retry in ${outcome.ttlInSeconds} s`,
    )
  }
}
