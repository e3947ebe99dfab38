import websocket from '@fastify/websocket'
import { ErrorCatalogue, LIVE_ORDERS_PATH } from '@shop/contracts'
import {
  AppError,
  keepWebSocketAlive,
  type Logger,
  refuseWebSocketHandshake,
  requireUserIdQuery,
  sendUpgradeRequired,
} from '@shop/platform'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { CLOSE_TRY_AGAIN_LATER, startOrderStatusFeed } from '../live/order-status-feed.ts'

/** Where the gateway's `/ws` connects: the caller's order status changes, as they commit. */
// A client sends nothing on this socket; a small limit keeps anyone from making it buffer much.
const MAX_CLIENT_MESSAGE_BYTES = 1024

/**
 * `GET /live/orders?user_id=<uuid>`, a WebSocket that pushes `{type: "order_status", order_id,
 * status, reason?}` for each order of that user that reaches a final status. Identity is checked
 * before the upgrade (400 as for X-User-Id), and while this instance cannot hear status changes
 * the upgrade is refused with 503, so that no client believes it is live when it is not.
 */
export const liveOrderRoutes: FastifyPluginAsync<{ databaseUrl: string; logger: Logger }> = async (
  app,
  { databaseUrl, logger },
) => {
  const feed = startOrderStatusFeed({
    connectionString: databaseUrl,
    logger: logger.child({ component: 'order-status-feed' }),
  })
  // Before the plugin's own preClose (which closes sockets without a code): clients are told to come back.
  app.addHook('preClose', () => feed.close())

  await app.register(websocket, {
    options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES },
    // A client that drops its connection is routine, not an error of this service.
    errorHandler: (error, socket, request) => {
      request.log.info({ err: error }, 'live order socket failed')
      socket.terminate()
    },
  })

  // A malformed handshake is refused as problem JSON, not in the library's text/html.
  app.websocketServer.on('wsClientError', refuseWebSocketHandshake)

  const refuseWhileDeaf = async (_request: FastifyRequest) => {
    if (!feed.listening)
      throw new AppError(
        ErrorCatalogue.liveStatusUnavailable,
        'Order status changes cannot be followed right now; retry shortly',
      )
  }

  app.route({
    method: 'GET',
    url: LIVE_ORDERS_PATH,
    schema: { hide: true },
    onRequest: [requireUserIdQuery, refuseWhileDeaf],
    handler: (_request, reply) => sendUpgradeRequired(reply),
    wsHandler: (socket, request) => {
      // The feed may have gone deaf while the upgrade completed: the client must not think it is live.
      if (!feed.listening) {
        socket.close(CLOSE_TRY_AGAIN_LATER, 'live status interrupted; reconnect')
        return
      }
      feed.subscribe(request.userId, socket)
      keepWebSocketAlive(socket)
      request.log.info('live order status subscribed')
    },
  })
}
