import replyFrom from '@fastify/reply-from'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { RouteDefinition } from '@shop/contracts'
import { forwardTrace, REQUEST_ID_HEADER } from '@shop/platform'
import type { CallerIdentity } from '../auth/caller-identity.ts'
import { refuseOversizedHeaders } from './header-budget.ts'
import { withoutHopByHopHeaders } from './hop-by-hop.ts'
import { refuseMalformedUrl } from './malformed-url.ts'
import { validatePathParametersOnly } from './path-parameters.ts'
import type { RateLimits } from './rate-limit.ts'
import { sendUpstreamFailure } from './upstream-failure.ts'

export interface ForwardOptions {
  upstream: string
  /** As the gateway documents them: the service's answers and its own (`atTheGateway`). */
  routes: RouteDefinition[]
  timeoutMs: number
  /** Who calls, and what the service is told about it. */
  identity: CallerIdentity
  /** Count each request against its client address and its user; none means no limit. */
  rateLimits: RateLimits
}

/**
 * Serves the given routes by forwarding them to one upstream over a keep-alive connection pool.
 * The caller is identified first (X-User-Id or a bearer token, by AUTH_MODE); requests are then
 * passed on byte for byte but for the headers that say who calls; answers come back unchanged. An
 * upstream that is down is a 503 and one that is too slow a 504, both as problem JSON, never a hang.
 */
export const forwardRoutes: FastifyPluginAsyncTypebox<ForwardOptions> = async (app, options) => {
  // The body is the service's to validate: the gateway forwards the bytes it was sent.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
  app.setValidatorCompiler(validatePathParametersOnly)

  await app.register(replyFrom, {
    base: options.upstream,
    undici: { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 },
    destroyAgent: true,
    retryMethods: [],
    maxRetriesOn503: 0,
    disableRequestLogging: true,
  })

  // The address limit first, so requests with forged tokens or invented ids are held back too;
  // the user limit after the identity check, so it counts a request against its validated user.
  // Both before the body is read or forwarded.
  const { perClientIp, perUser } = options.rateLimits
  if (perClientIp) app.addHook('onRequest', perClientIp)
  app.addHook('onRequest', options.identity.identify)
  if (perUser) app.addHook('onRequest', perUser)
  // What the service would refuse in a form that is not problem JSON, or the proxy would choke on.
  app.addHook('onRequest', refuseMalformedUrl)
  app.addHook('onRequest', refuseOversizedHeaders)

  for (const route of options.routes) {
    app.route({
      method: route.method,
      url: route.url,
      schema: route.schema,
      ...(route.links ? { links: route.links } : {}),
      handler: (request, reply) =>
        // No source: the proxy forwards the path as routed and the query string as it came (given
        // the whole URL, it would refuse a query string with `../` in it, the service's to judge).
        reply.from(undefined, {
          // Handing the bytes over with their content type stops reply-from re-encoding JSON.
          ...(Buffer.isBuffer(request.body)
            ? {
                body: request.body,
                contentType: request.headers['content-type'] ?? 'application/octet-stream',
              }
            : {}),
          timeout: options.timeoutMs,
          // Expect, Keep-Alive and Upgrade concern the client's hop only (the body is already read);
          // undici refuses to send them, which would turn a healthy upstream into a 503.
          // The headers are reply-from's own copy: changing them in place spares a copy per request.
          rewriteRequestHeaders: (_request, headers) => {
            delete headers.expect
            delete headers['keep-alive']
            delete headers.upgrade
            headers[REQUEST_ID_HEADER] = request.id
            options.identity.stampUpstream(request, headers)
            // The gateway's own span, so the services continue the trace it started or joined.
            forwardTrace(headers, request.trace)
            return headers
          },
          rewriteHeaders: withoutHopByHopHeaders,
          onError: (errorReply, { error }) => {
            const timedOut = (error as { statusCode?: number }).statusCode === 504
            request.log.warn({ err: error, upstream: options.upstream }, 'upstream request failed')
            sendUpstreamFailure(errorReply as never, timedOut, options.timeoutMs)
          },
        }),
    })
  }
}
