import { randomUUID } from 'node:crypto'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Problem } from '@shop/contracts'
import Fastify, { type FastifyInstance, LogController, type RawRequestDefaultExpression } from 'fastify'
import type { Logger } from 'pino'
import type { ServiceMetrics } from '../metrics.ts'
import { continueTrace, recordRoute, type TraceContext } from '../tracing.ts'
import { answerClientError, answerFrameworkError } from './framework-errors.ts'
import { requireInternalAuth } from './internal-auth.ts'
import { liftRequiredResponseHeaders } from './openapi-document.ts'
import { toOriginForm } from './origin-form.ts'
import { registerProblemHandler } from './problem.ts'
import { readRequestBodies } from './request-body.ts'
import { answerUnmatchedRequests } from './unmatched-requests.ts'
import { USER_ID_HEADER, userIdFrom } from './user-id.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's span of the W3C trace it continues or starts. */
    trace: TraceContext
  }
}

export interface HttpAppOptions {
  title: string
  description: string
  logger: Logger
  bodyLimitBytes?: number
  /** What `GET /ready` checks; each check answers whether that dependency works now. */
  readiness?: Record<string, () => Promise<boolean>>
  /** Request durations are recorded in it; it is served on a listener of its own (see serveHttp). */
  metrics?: ServiceMetrics
  /** When given, every request but probes and docs must carry it (see requireInternalAuth). */
  internalAuthToken?: string | undefined
  /**
   * Whether X-User-Id names the caller in the logs from the start (true unless said otherwise).
   * The gateway in oidc mode says false: there a client's X-User-Id is dropped, and its hook logs
   * the verified user instead.
   */
  userIdHeaderTrusted?: boolean
  /** OpenAPI security schemes the routes' `security` requirements name. */
  securitySchemes?: Record<
    string,
    { type: 'http'; scheme: string; bearerFormat?: string; description?: string }
  >
}

export const REQUEST_ID_HEADER = 'x-request-id'
const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024
const MULTIPLE_OF_PRECISION_DIGITS = 4
const PROBES = new Set(['/health', '/ready'])
const REQUEST_ID = /^[\w.:-]{1,128}$/
/** Query parameters that carry a credential (the WebSocket's ticket), kept out of the logs. */
const CREDENTIAL_IN_QUERY = /([?&](?:ticket|access_token)=)[^&]*/gi
const withoutCredentials = (url: string) => url.replace(CREDENTIAL_IN_QUERY, '$1[redacted]')
type RawRequest = RawRequestDefaultExpression
/** What no operation of a document can list: the answers to a path or a method it does not have. */
const UNLISTED_ANSWERS =
  'A method a path does not take is 405 `method_not_allowed`, with `Allow` listing those it does ' +
  '(HEAD wherever GET is); a path no route has is 404 `route_not_found`. Both are application/problem+json.'

/**
 * A Fastify app with what every service's HTTP side shares: TypeBox schemas, problem JSON errors,
 * request ids that follow a request across services, OpenAPI at `/docs`, and `GET /health`.
 * It never listens: `server.ts` does, and tests inject requests or listen on port 0.
 */
export async function createHttpApp(options: HttpAppOptions) {
  /** Each request's trace, worked out with its logger and handed to the onRequest hook. */
  const traces = new WeakMap<RawRequest, TraceContext>()
  const trustUserIdHeader = options.userIdHeaderTrusted ?? true
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    requestIdHeader: false,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // HTTP/1.1 servers must accept an absolute-form target (`GET http://host/path`): routed, logged
    // and forwarded as the origin form it names.
    rewriteUrl: toOriginForm,
    // The request's logger is made once, with everything it should carry: a child per binding
    // would cost every request a few more logger copies.
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) => {
      const trace = continueTrace(rawRequest.headers.traceparent)
      traces.set(rawRequest, trace)
      const userId = trustUserIdHeader ? userIdFrom(rawRequest.headers[USER_ID_HEADER]) : undefined
      return logger.child(
        { ...bindings, trace_id: trace.traceId, ...(userId ? { user_id: userId } : {}) },
        childOptions,
      )
    },
    genReqId: (request) => {
      const given = request.headers[REQUEST_ID_HEADER]
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // One line per request, written by the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      // A string is not a number and an unknown field is a client's mistake: reject both.
      // `multipleOf: 0.01` divides in binary floating point, where 0.07 / 0.01 is 7.000000000000001:
      // a quotient within 1e-4 of a whole number counts as one. Amounts up to 1e9 divide with an
      // error below 4e-5, while three fraction digits are off by 0.1 or more; whatever finer slips
      // through, toMinorUnits refuses, deciding exactly on the decimal.
      customOptions: {
        coerceTypes: false,
        removeAdditional: false,
        allErrors: true,
        multipleOfPrecision: MULTIPLE_OF_PRECISION_DIGITS,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addSchema(Problem)
  registerProblemHandler(app as unknown as FastifyInstance)
  readRequestBodies(app as unknown as FastifyInstance)
  app.decorateRequest('trace', null as unknown as TraceContext)
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    request.trace = traces.get(request.raw) ?? continueTrace(request.headers.traceparent)
    recordRoute(request)
  })
  const { metrics } = options
  app.addHook('onResponse', async (request, reply) => {
    if (PROBES.has(request.url)) return
    metrics?.httpDuration.observe(
      {
        method: request.method,
        // The route pattern, not the URL, so order ids do not explode the label set.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
    request.log.info(
      {
        method: request.method,
        url: withoutCredentials(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    )
  })

  // Before the unmatched-request answers, so a caller without the token learns nothing of the routes.
  if (options.internalAuthToken)
    requireInternalAuth(app as unknown as FastifyInstance, options.internalAuthToken)
  // After the hooks above, which its early answers need too; before any route, which it records.
  answerUnmatchedRequests(app as unknown as FastifyInstance)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        description: `${options.description} ${UNLISTED_ANSWERS}`,
        version: '1.0.0',
      },
      ...(options.securitySchemes ? { components: { securitySchemes: options.securitySchemes } } : {}),
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
    transformObject: (document) =>
      'openapiObject' in document
        ? liftRequiredResponseHeaders(document.openapiObject)
        : document.swaggerObject,
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }))
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const checks = await runChecks(options.readiness ?? {})
    const ready = Object.values(checks).every(Boolean)
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks })
  })

  return app
}

async function runChecks(checks: Record<string, () => Promise<boolean>>): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await check().catch(() => false)] as const),
  )
  return Object.fromEntries(entries)
}

export type HttpApp = Awaited<ReturnType<typeof createHttpApp>>
