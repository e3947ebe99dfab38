import type { RawRequest, RawResponse } from './raw-http.ts'

/**
 * Answers that break the edge's promise of problem JSON today, recognised exactly (status and
 * Fastify's own message), so that any other deviation still fails the properties. All three come
 * from the platform's createHttpApp, which sets neither `frameworkErrors` nor `clientErrorHandler`,
 * so Fastify answers these itself, before any route or error handler runs. They are reported bugs;
 * services/api-gateway/test/framework-errors.test.ts pins each one with `it.fails` and turns red
 * once it is fixed, which is the cue to delete it here.
 */
const DEVIATIONS: { name: string; status: number; body: RegExp }[] = [
  { name: 'FST_ERR_BAD_URL', status: 400, body: /"code":"FST_ERR_BAD_URL"/ },
  { name: 'FST_ERR_MAX_PARAM_LENGTH', status: 414, body: /"code":"FST_ERR_MAX_PARAM_LENGTH"/ },
  { name: 'header overflow', status: 431, body: /"message":"Exceeded maximum allowed HTTP header size"/ },
]

/**
 * The name of the known deviation this answer is, if it is one; a HEAD answer has no body to tell
 * by. Only the gateway's own: its hooks never ran, so there is no X-Request-Id. The same answer
 * from a service, passed through, means the gateway forwarded what it should have refused.
 */
export function knownDeviation(method: string, response: RawResponse): string | undefined {
  if (response.headers['x-request-id'] !== undefined) return undefined
  if (!String(response.headers['content-type'] ?? '').startsWith('application/json')) return undefined
  return DEVIATIONS.find(
    ({ status, body }) => response.status === status && (method === 'HEAD' || body.test(response.body)),
  )?.name
}

/** Node's default limit on the request line and headers together. */
const MAX_HEADER_BYTES = 16 * 1024

/**
 * The same header-overflow answer, as a client may see it: Fastify writes its answer and destroys
 * the socket at once, so a client still sending gets a reset instead; and after a HEAD, whose
 * answer has no body, a client takes the body Fastify writes anyway for a broken next response.
 */
export function knownBrokenExchange(raw: RawRequest, error: Error & { code?: string }): string | undefined {
  const headBytes =
    raw.method.length +
    raw.path.length +
    Object.entries(raw.headers).reduce(
      (sum, [name, value]) => sum + name.length + String(value).length + 4,
      0,
    )
  if (headBytes <= MAX_HEADER_BYTES) return undefined
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return 'header overflow: connection reset'
  if (raw.method === 'HEAD' && error.code === 'HPE_INVALID_CONSTANT')
    return 'header overflow: body after a HEAD'
  return undefined
}
