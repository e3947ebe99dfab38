import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { ErrorCatalogue, type ErrorCode, type ErrorKind } from '@shop/contracts'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEM_CONTENT_TYPE, sendProblem } from './problem.ts'

/** Fastify's errors raised before any route or hook runs, by code, as problem codes. */
const BEFORE_ROUTING: Record<string, ErrorKind & { detail: string }> = {
  FST_ERR_BAD_URL: {
    ...ErrorCatalogue.malformedUrl,
    detail: 'The URL is not valid percent-encoding',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    ...ErrorCatalogue.pathParameterTooLong,
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
    sendProblem(reply, ErrorCatalogue.internalError)
    return
  }
  sendProblem(reply, {
    status,
    code: known?.code ?? ErrorCatalogue.badRequest.code,
    title: known?.title ?? ErrorCatalogue.badRequest.title,
    detail: known?.detail ?? error.message,
  })
}

/** A refusal written straight to a socket, before or instead of any request Fastify could answer. */
export interface SocketProblem {
  status: number
  code: ErrorCode
  title: string
  detail?: string
  instance?: string
}

/**
 * Answers on the raw socket with problem JSON and closes the connection: what Node's parser or a
 * WebSocket handshake refuses never reaches Fastify's reply, so it is written here by hand.
 */
export function endWithProblem(
  socket: Duplex,
  problem: SocketProblem,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', ...problem })
  const head = Object.entries({
    Connection: 'close',
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`)
  socket.end(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n${head.join('')}\r\n${body}`)
}

const CLIENT_ERRORS: Record<string, SocketProblem> = {
  HPE_HEADER_OVERFLOW: ErrorCatalogue.headersTooLarge,
  // Node's headers or request bound (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS) ran out.
  ERR_HTTP_REQUEST_TIMEOUT: ErrorCatalogue.requestTimeout,
}
const MALFORMED: SocketProblem = { ...ErrorCatalogue.badRequest, title: 'Malformed HTTP request' }

/** Whether the connection's current response has begun: nothing more may be written to it then. */
const answering = (socket: Socket) =>
  (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (headers over its limit, a
 * request that is not HTTP, one that took too long to arrive) never becomes a request at all, so
 * the answer is written to the socket here, as problem JSON, and the connection closed. An answer
 * already under way (the route answered before the request had all arrived) gets nothing written
 * into it: its connection is just closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  if (!socket.writable || answering(socket)) {
    socket.destroy()
    return
  }
  endWithProblem(socket, (error.code && CLIENT_ERRORS[error.code]) || MALFORMED)
}
