import { ErrorCatalogue } from '@shop/contracts'
import { AppError } from '@shop/platform'
import type { FastifyRequest } from 'fastify'

/** Node's default limit on a request's line and headers together, at the services as here. */
const NODE_MAX_HEADER_BYTES = 16 * 1024
/** What forwarding adds or rewrites: X-Request-Id (up to 128 characters), traceparent, Host, Content-Length. */
const FORWARDING_HEADROOM_BYTES = 512
export const MAX_FORWARDED_HEADER_BYTES = NODE_MAX_HEADER_BYTES - FORWARDING_HEADROOM_BYTES

/** The request line and header lines as they arrived, in bytes (close enough: latin1 on the wire). */
function headerBytes(request: FastifyRequest): number {
  const { rawHeaders, method = '', url = '' } = request.raw
  let bytes = method.length + url.length + ' HTTP/1.1\r\n'.length
  for (let i = 0; i < rawHeaders.length; i += 2) {
    bytes += (rawHeaders[i]?.length ?? 0) + ': '.length + (rawHeaders[i + 1]?.length ?? 0) + '\r\n'.length
  }
  return bytes
}

/**
 * An onRequest hook that answers 431 problem JSON when the headers are so close to Node's limit
 * that the headers the gateway adds would push them over it at the service. Found by the property
 * tests: such a request passed here, and the service's own plain-JSON 431 came back through.
 */
export async function refuseOversizedHeaders(request: FastifyRequest): Promise<void> {
  if (headerBytes(request) <= MAX_FORWARDED_HEADER_BYTES) return
  throw new AppError(
    ErrorCatalogue.headersTooLarge,
    `The request line and headers must stay within ${MAX_FORWARDED_HEADER_BYTES} bytes`,
  )
}
