import type { Server } from 'node:http'

export interface ConnectionLimits {
  HEADERS_TIMEOUT_MS: number
  REQUEST_TIMEOUT_MS: number
  KEEP_ALIVE_TIMEOUT_MS: number
  MAX_CONNECTIONS: number
}

/** Node checks the header and request bounds on a timer (30 s by default, which would overrun a 10 s bound). */
const MAX_CHECKING_INTERVAL_MS = 1_000

/**
 * Bounds what a client may hold of the server: the time to send its headers and its whole request
 * (then Node raises ERR_HTTP_REQUEST_TIMEOUT, answered 408 by the clientErrorHandler, and closes),
 * the time a keep-alive connection may idle, and how many connections are open at once (Node closes
 * one more at once rather than letting it wait). Fastify never times out a request by itself.
 * Call it before the server listens: the checking timer starts when it does.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.headersTimeout = limits.HEADERS_TIMEOUT_MS
  server.requestTimeout = limits.REQUEST_TIMEOUT_MS
  server.keepAliveTimeout = limits.KEEP_ALIVE_TIMEOUT_MS
  server.maxConnections = limits.MAX_CONNECTIONS
  // Checked ten times per bound at least, so a bound is kept to within a tenth of itself. Node reads
  // this when the server starts listening; its types know it only as an option of createServer.
  const tightestMs = Math.min(limits.HEADERS_TIMEOUT_MS, limits.REQUEST_TIMEOUT_MS)
  ;(server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(
    MAX_CHECKING_INTERVAL_MS,
    Math.ceil(tightestMs / 10),
  )
}
