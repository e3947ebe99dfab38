import websocket from '@fastify/websocket'
import { BearerLiveRoutes, LIVE_ORDERS_PATH, LiveRoutes } from '@shop/contracts'
import {
  keepWebSocketAlive,
  REQUEST_ID_HEADER,
  refuseWebSocketHandshake,
  sendUpgradeRequired,
  TRACEPARENT_HEADER,
} from '@shop/platform'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { RawData, WebSocket } from 'ws'
import type { CallerIdentity } from '../auth/caller-identity.ts'
import type { RateLimits } from './rate-limit.ts'
import { sendUpstreamFailure } from './upstream-failure.ts'
import { connectUpstreamSocket, UpgradeRefused, UpgradeTimedOut } from './upstream-socket.ts'

export interface LiveStatusProxyOptions {
  /** orders-service, which serves each user's status changes at LIVE_ORDERS_PATH. */
  upstream: string
  timeoutMs: number
  /** Who calls: `?user_id=` in header mode, a ticket in oidc mode. */
  identity: CallerIdentity
  /** Count each upgrade against its client address and user, as a business request; none means no limit. */
  rateLimits: RateLimits
}

// Clients send nothing on this socket; pushes are small JSON objects.
const MAX_CLIENT_MESSAGE_BYTES = 1024
const MAX_PUSH_BYTES = 64 * 1024
/** "Bad gateway": the upstream's socket ended without a code that may be passed on. */
const CLOSE_BAD_GATEWAY = 1014

/** An upstream socket opened for a request, and what it sent before the client's socket was ready. */
interface PendingUpstream {
  socket: WebSocket
  early: { data: RawData; isBinary: boolean }[]
  stopBuffering(): void
}

/** Close codes a server may send (RFC 6455 7.4); 1005 and 1006 only describe what happened locally. */
const passableCloseCode = (code: number) =>
  (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999)

/**
 * `GET /ws?user_id=<uuid>` (`?ticket=` in oidc mode): the public WebSocket of live order statuses,
 * relayed from orders-service. The caller is established here (the user id as strictly as
 * X-User-Id, or the ticket redeemed), and the upstream socket
 * is opened before the client's is accepted, so a client is either live or told why not in plain
 * HTTP (400, 503, 504, or the upstream's own refusal). Then messages flow upstream to client, and
 * either side closing closes the other with its code, so the client knows to reconnect.
 */
export const liveStatusProxy: FastifyPluginAsync<LiveStatusProxyOptions> = async (app, options) => {
  await app.register(websocket, {
    options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false },
    // A browser that drops its connection is routine, not an error of the gateway.
    errorHandler: (error, socket, request) => {
      request.log.info({ err: error }, 'live status socket failed')
      socket.terminate()
    },
  })
  // A malformed handshake is refused as problem JSON, not in the library's text/html.
  app.websocketServer.on('wsClientError', refuseWebSocketHandshake)
  const pending = new WeakMap<FastifyRequest, PendingUpstream>()
  const upstreamHeaders = (request: FastifyRequest) => {
    const headers: Record<string, string> = {
      [REQUEST_ID_HEADER]: request.id,
      [TRACEPARENT_HEADER]: request.trace.traceparent,
    }
    options.identity.stampUpstream(request, headers)
    return headers
  }

  const openUpstream = async (request: FastifyRequest, reply: FastifyReply) => {
    // A plain GET gets its 426 from the handler: there is nothing to relay.
    if (!request.ws) return
    const url = new URL(LIVE_ORDERS_PATH, options.upstream)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    url.searchParams.set('user_id', request.userId)
    try {
      const socket = await connectUpstreamSocket(url.href, {
        timeoutMs: options.timeoutMs,
        headers: upstreamHeaders(request),
        maxPayload: MAX_PUSH_BYTES,
      })
      const early: PendingUpstream['early'] = []
      const buffer = (data: RawData, isBinary: boolean) => early.push({ data, isBinary })
      socket.on('message', buffer)
      // The client may give up before its upgrade completes; the upstream socket must not outlive it.
      if (request.raw.socket.destroyed) {
        socket.close()
        // Nobody is left to answer: end the request's lifecycle here.
        return reply.hijack()
      }
      request.raw.socket.once('close', () => socket.close())
      pending.set(request, { socket, early, stopBuffering: () => socket.off('message', buffer) })
    } catch (error) {
      if (error instanceof UpgradeRefused) {
        request.log.warn({ status: error.status, upstream: options.upstream }, 'upstream refused live status')
        return reply.code(error.status).header('content-type', error.contentType).send(error.body)
      }
      const timedOut = error instanceof UpgradeTimedOut
      request.log.warn({ err: error, upstream: options.upstream }, 'upstream live status failed')
      return sendUpstreamFailure(reply, timedOut, options.timeoutMs)
    }
  }

  const relay = (client: WebSocket, request: FastifyRequest) => {
    const upstream = pending.get(request)
    pending.delete(request)
    if (!upstream) {
      client.close(CLOSE_BAD_GATEWAY, 'no upstream')
      return
    }
    upstream.stopBuffering()
    for (const { data, isBinary } of upstream.early) client.send(data, { binary: isBinary })
    upstream.socket.on('message', (data, isBinary) => client.send(data, { binary: isBinary }))
    const closeClient = (code: number, reason: string) =>
      passableCloseCode(code)
        ? client.close(code, reason)
        : client.close(CLOSE_BAD_GATEWAY, 'upstream closed')
    if (upstream.socket.readyState !== upstream.socket.OPEN) closeClient(1006, '')
    upstream.socket.on('close', (code, reason) => closeClient(code, reason.toString()))
    client.on('close', (code) => {
      upstream.socket.close()
      request.log.info({ code }, 'live status socket closed')
    })
    keepWebSocketAlive(client)
    request.log.info('live status socket opened')
  }

  const { perClientIp, perUser } = options.rateLimits
  app.route({
    ...(options.identity.mode === 'oidc' ? BearerLiveRoutes.orderStatus : LiveRoutes.orderStatus),
    onRequest: [perClientIp, options.identity.identifyWebSocket, perUser].filter(
      (hook) => hook !== undefined,
    ),
    preHandler: openUpstream,
    handler: (_request, reply) => sendUpgradeRequired(reply),
    wsHandler: relay,
  })
}
