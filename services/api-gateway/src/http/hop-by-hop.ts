import type { IncomingHttpHeaders } from 'node:http'

/** Headers about one connection (RFC 9110 7.6.1): a proxy never passes them on. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade']

/**
 * The upstream's response headers without those that describe the gateway's connection to it.
 * Passed on, the service's `Connection: keep-alive` and `Keep-Alive: timeout=…` would keep a
 * client's connection open after it asked to close, and announce the service's idle bound
 * instead of the gateway's. The headers are changed in place: they are the proxy's own copy.
 */
export function withoutHopByHopHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = typeof headers.connection === 'string' ? headers.connection.split(',') : []
  for (const name of [...HOP_BY_HOP, ...named]) delete headers[name.trim().toLowerCase()]
  return headers
}
