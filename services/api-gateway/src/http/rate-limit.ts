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

/** The keys a request is counted under: its verified (or, in header mode, stated) user, its client address. */
const userOf = (request: FastifyRequest): string => `user:${request.userId}`
const clientAddressOf = (request: FastifyRequest): string => `ip:${request.ip}`

export interface RateLimits {
  /** Counts a request against its client address: runs before the caller is identified. */
  perClientIp?: RateLimitHook
  /** Counts a request against its user: runs once the caller is identified. */
  perUser?: RateLimitHook
}

/**
 * Fixed one-minute windows as onRequest hooks for the routes that should count: one store behind
 * them, so those routes share a caller's budget. The per-user limit (keyed by the identified user,
 * lower-cased, so case variants share one budget) shares capacity fairly between users; the
 * per-address limit in front of it holds back a client that sends many requests under invented
 * ids or forged tokens, which the user limit cannot see. Over a limit the answer is 429
 * `rate_limited` problem JSON with Retry-After (seconds until the window resets). A limit of 0 is
 * none. Counters live in this process, so each gateway instance counts on its own. Behind a proxy
 * every client has the proxy's address: then the proxy should limit by address instead.
 */
export async function rateLimits(
  app: HttpApp,
  limits: { perUserPerMinute: number; perIpPerMinute: number },
): Promise<RateLimits> {
  if (limits.perUserPerMinute === 0 && limits.perIpPerMinute === 0) return {}
  await app.register(rateLimit, {
    // Nothing is limited unless it is given a hook: /health, /ready, /metrics and /docs never are.
    global: false,
    timeWindow: ONE_MINUTE_MS,
    cache: TRACKED_CALLERS,
  })
  const hook = (perMinute: number, keyOf: (request: FastifyRequest) => string, whose: string) =>
    perMinute === 0
      ? undefined
      : countingHook(app.createRateLimit({ max: perMinute, keyGenerator: keyOf }), whose)
  const perClientIp = hook(limits.perIpPerMinute, clientAddressOf, 'client address')
  const perUser = hook(limits.perUserPerMinute, userOf, 'user')
  return { ...(perClientIp ? { perClientIp } : {}), ...(perUser ? { perUser } : {}) }
}

function countingHook(count: ReturnType<HttpApp['createRateLimit']>, whose: string): RateLimitHook {
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
      `At most ${outcome.max} requests a minute per ${whose}; retry in ${outcome.ttlInSeconds} s`,
    )
  }
}
