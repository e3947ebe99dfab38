import { Type } from 'typebox'
import { problemResponse, UUID_PATTERN, Uuid } from './common.ts'
import { OrderStatus } from './orders.ts'

/** A text message of the live socket: one of the caller's orders now has this status. */
export const OrderStatusPush = Type.Object(
  {
    type: Type.Literal('order_status'),
    order_id: Uuid,
    status: OrderStatus,
    reason: Type.Optional(Type.String({ description: 'Why a CANCELLED order was cancelled.' })),
  },
  { additionalProperties: false },
)

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
  orderStatus: {
    method: 'GET',
    url: '/ws',
    schema: {
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
        400: problemResponse('Missing or malformed user_id'),
        426: problemResponse('Asked without a WebSocket upgrade'),
        503: problemResponse('Live status is unavailable for now; retry with backoff'),
        504: problemResponse('The orders service did not answer in time'),
      },
    },
  },
} as const
