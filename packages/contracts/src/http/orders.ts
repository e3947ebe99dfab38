import { Type } from 'typebox'
import { OrderStatus } from '../order-status.ts'
import { Amount, IdempotentUserHeaders, NoQuery, UserIdHeaders, Uuid } from './common.ts'
import { jsonResponse, problemResponse } from './responses.ts'
import { serviceRoute } from './service-answers.ts'

export const MAX_DESCRIPTION_LENGTH = 500

export const Order = Type.Object(
  {
    id: Uuid,
    user_id: Uuid,
    amount: Type.Number(),
    description: Type.Union([Type.String(), Type.Null()]),
    status: OrderStatus,
    reason: Type.Optional(
      Type.String({
        description: 'Why a CANCELLED order was cancelled: insufficient_funds or account_not_found.',
      }),
    ),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
)

export const PlaceOrderBody = Type.Object(
  {
    amount: Amount,
    description: Type.Optional(
      Type.String({
        maxLength: MAX_DESCRIPTION_LENGTH,
        // PostgreSQL text cannot hold NUL, and a lone surrogate half would be stored as U+FFFD:
        // refuse both rather than fail on insert or change the text silently.
        pattern: '^[^\\u0000\\ud800-\\udfff]*$',
        description: 'Up to 500 characters.',
        examples: ['a kettle'],
      }),
    ),
  },
  { additionalProperties: false },
)

export const OrderParams = Type.Object({ order_id: Uuid })

export const OrderList = Type.Array(Order)

export const MAX_LIST_LIMIT = 1000
export const DEFAULT_LIST_LIMIT = 100

export const ListOrdersQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({
        // 1 to 1000 exactly: the wider ^[1-9][0-9]{0,3}$ documented values up to 9999 that are refused.
        pattern: '^(?:[1-9][0-9]{0,2}|1000)$',
        description: 'At most this many orders, 1 to 1000; 100 by default.',
        examples: ['10'],
      }),
    ),
  },
  { additionalProperties: false },
)

/** A placed order can be read back by its owner: the same X-User-Id, and its id. */
const SAME_USER = { 'header.x-user-id': '$request.header.x-user-id' }

/** The routes of orders-service, as the gateway serves them too: one definition for both. */
export const OrderRoutes = {
  placeOrder: serviceRoute({
    method: 'POST',
    url: '/orders',
    schema: {
      operationId: 'placeOrder',
      summary: 'Place an order; it is paid asynchronously',
      description: 'The order starts NEW and becomes FINISHED once paid or CANCELLED (with a reason) if not.',
      tags: ['orders'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      body: PlaceOrderBody,
      response: { 201: jsonResponse(Order, 'The order, NEW until it is paid or cancelled.') },
    },
    links: {
      201: {
        getOrder: {
          operationId: 'getOrder',
          parameters: { order_id: '$response.body#/id', ...SAME_USER },
        },
        listOrders: { operationId: 'listOrders', parameters: SAME_USER },
      },
    },
  }),
  listOrders: serviceRoute({
    method: 'GET',
    url: '/orders',
    schema: {
      operationId: 'listOrders',
      summary: 'The calling user’s orders, newest first',
      tags: ['orders'],
      headers: UserIdHeaders,
      querystring: ListOrdersQuery,
      response: { 200: jsonResponse(OrderList, 'The user’s orders, newest first, at most `limit` of them.') },
    },
  }),
  getOrder: serviceRoute({
    method: 'GET',
    url: '/orders/:order_id',
    schema: {
      operationId: 'getOrder',
      summary: 'One of the calling user’s orders, with its status',
      tags: ['orders'],
      headers: UserIdHeaders,
      querystring: NoQuery,
      params: OrderParams,
      response: {
        200: jsonResponse(Order, 'The order with its current status.'),
        404: problemResponse('`order_not_found`: this user has no order with this id.'),
      },
    },
  }),
} as const
