import type { RawRequest } from './raw-http.ts'

/** Node's default limit on the request line and headers together. */
const MAX_HEADER_BYTES = 16 * 1024

/**
 * The header-overflow answer as a client may see it: the server answers 431 before it has read
 * the whole request and closes, so a client still sending gets a reset instead; and after a HEAD,
 * whose answer has no body, a client takes the 431's body for a broken next response.
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
  // The body arrives as a broken next response, or as data after `Connection: close`.
  if (
    raw.method === 'HEAD' &&
    (error.code === 'HPE_INVALID_CONSTANT' || error.code === 'HPE_CLOSED_CONNECTION')
  )
    return 'header overflow: body after a HEAD'
  return undefined
}
