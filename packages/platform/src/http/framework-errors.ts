import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEM_CONTENT_TYPE, sendProblem } from './problem.ts'

/** Fastify's errors raised before any route or hook runs, by code, as problem codes. */
const BEFORE_ROUTING: Record<string, { code: string; title: string; detail: string }> = {
  FST_ERR_BAD_URL: {
    code: 'malformed_url',
    title: 'Bad request',
    detail: 'The URL is not valid percent-encoding',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'path_parameter_too_long',
    title: 'URI too long',
    detail: 'A path parameter is longer than any this API accepts',
  },
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any hook or error handler runs (a
 * path that is not valid percent-encoding, an overlong path parameter) is problem JSON too.
 */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 400
  const known = error.code ? BEFORE_ROUTING[error.code] : undefined
  if (status >= 500) {
    sendProblem(reply, { status: 500, code: 'internal_error', title: 'Internal server error' })
    return
  }
  sendProblem(reply, {
    status,
    code: known?.code ?? 'bad_request',
    title: known?.title ?? 'Bad request',
    detail: known?.detail ?? error.message,
  })
}

const CLIENT_ERRORS: Record<string, { status: number; reason: string; code: string; title: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'headers_too_large',
    title: 'Request headers too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    title: 'Request timeout',
  },
}
const MALFORMED = { status: 400, reason: 'Bad Request', code: 'bad_request', title: 'Malformed HTTP request' }

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (headers over its limit, a
 * request that is not HTTP) never becomes a request at all, so the answer is written to the socket
 * here, as problem JSON, and the connection closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const { status, reason, code, title } = (error.code && CLIENT_ERRORS[error.code]) || MALFORMED
  const body = JSON.stringify({ type: 'about:blank', title, status, code })
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
