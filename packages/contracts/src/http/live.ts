import { Type } from 'typebox'
import { UUID_PATTERN } from '../uuid.ts'
import { atTheGateway } from './gateway-answers.ts'
import { emptyResponse, header, problemResponse } from './responses.ts'
import { anyRoute } from './service-answers.ts'

/** Where orders-service serves each user's status changes; the gateway relays them at /ws. */
export const LIVE_ORDERS_PATH = '/live/orders'

export const LiveQuery = Type.Object(
  {
    user_id: Type.String({
      pattern: UUID_PATTERN,
      description: 'The calling user, as X-User-Id elsewhere: a browser cannot set headers on a WebSocket.',
    }),
  },
  { additionalProperties: false },
)

/** The public WebSocket, documented with the other routes; the gateway serves it. */
export const LiveRoutes = {
  orderStatus: atTheGateway(
    anyRoute({
      method: 'GET',
      url: '/ws',
      schema: {
        operationId: 'followOrderStatus',
        summary: 'Follow the status of your orders live (WebSocket)',
        description:
          'Upgrade to a WebSocket (`ws://host/ws?user_id=<uuid>`). For each of the caller’s orders that ' +
          'becomes FINISHED or CANCELLED the server sends a text message ' +
          '`{"type": "order_status", "order_id", "status", "reason"?}` once the change is committed, and ' +
          'nothing about anybody else’s orders. Changes are not replayed: after connecting (and after ' +
          'every reconnect) read `GET /orders`. A close with 1001, 1012, 1013 or 1014 means: reconnect.',
        tags: ['orders'],
        querystring: LiveQuery,
        response: {
          101: emptyResponse('Switched to the WebSocket: order status pushes follow.'),
          400: problemResponse(
            '`missing_user_id`, `invalid_user_id`: user_id is missing or not one UUID. ' +
              '`invalid_query`: the query has a parameter other than user_id. ' +
              '`invalid_upgrade`, `invalid_websocket_key`, `invalid_websocket_protocol`, ' +
              '`invalid_websocket_handshake`: the upgrade is not a well-formed WebSocket handshake; ' +
              'the connection is closed.',
          ),
          426: problemResponse(
            '`upgrade_required`: asked without a WebSocket upgrade. ' +
              '`unsupported_websocket_version`: Sec-WebSocket-Version is not one this server speaks.',
            {
              upgrade: header(
                Type.Literal('websocket'),
                'With `upgrade_required`: the protocol to upgrade to.',
              ),
              'sec-websocket-version': header(
                Type.String(),
                'With `unsupported_websocket_version`: the versions this server speaks (`13, 8`).',
              ),
            },
          ),
          503: problemResponse(
            '`live_status_unavailable`: the orders service cannot follow status changes right now; retry with backoff.',
          ),
        },
      },
    }),
  ),
} as const
