import { Type } from 'typebox'
import { CENT, MAX_AMOUNT } from '../money.ts'
import { OrderStatus } from '../order-status.ts'
import { RefundStatus } from '../refund-status.ts'
import { Amount, IdempotentUserHeaders, listLimit, NoQuery, UserIdHeaders, Uuid } from './common.ts'
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
        description:
          'Why a CANCELLED order was cancelled: insufficient_funds, account_not_found, payment_conflict ' +
          'or cancelled_by_customer.',
      }),
    ),
    refunded_amount: Type.Number({
      description: 'What refunds of this order have credited back so far; 0 when none.',
    }),
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
    limit: Type.Optional(listLimit('orders')),
  },
  { additionalProperties: false },
)

export const CancelOrderBody = Type.Object({}, { additionalProperties: false })

export const RequestRefundBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Number({
        minimum: CENT,
        maximum: MAX_AMOUNT,
        multipleOf: CENT,
        description: 'How much to refund, with at most 2 fraction digits; by default all that is left.',
        examples: [1.5],
      }),
    ),
  },
  { additionalProperties: false },
)

export const Refund = Type.Object(
  {
    id: Uuid,
    order_id: Uuid,
    amount: Type.Number(),
    status: RefundStatus,
    reason: Type.Optional(
      Type.String({
        description:
          'Why a FAILED refund could not be credited: payment_not_found or refund_exceeds_payment.',
      }),
    ),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
)

export const RefundList = Type.Array(Refund)

/** A placed order can be read back by its owner: the same X-User-Id, and its id. */
const SAME_USER = { 'header.x-user-id': '$request.header.x-user-id' }

const noOrder = problemResponse('`order_not_found`: this user has no order with this id.')

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
        cancelOrder: {
          operationId: 'cancelOrder',
          parameters: { order_id: '$response.body#/id', ...SAME_USER },
        },
        requestRefund: {
          operationId: 'requestRefund',
          parameters: { order_id: '$response.body#/id', ...SAME_USER },
        },
        listRefunds: {
          operationId: 'listRefunds',
          parameters: { order_id: '$response.body#/id', ...SAME_USER },
        },
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
        404: noOrder,
      },
    },
  }),
  cancelOrder: serviceRoute({
    method: 'POST',
    url: '/orders/:order_id/cancel',
    schema: {
      operationId: 'cancelOrder',
      summary: 'Cancel one of the calling user’s NEW orders',
      description:
        'A NEW order becomes CANCELLED (reason cancelled_by_customer) at once; if it was already charged, ' +
        'the charge is refunded by itself. An order already CANCELLED is answered as it is.',
      tags: ['orders'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      params: OrderParams,
      body: CancelOrderBody,
      response: {
        200: jsonResponse(Order, 'The order, CANCELLED.'),
        404: noOrder,
        409: problemResponse(
          '`order_not_cancellable`: the order is FINISHED or REFUNDED; refund it instead.',
        ),
      },
    },
  }),
  requestRefund: serviceRoute({
    method: 'POST',
    url: '/orders/:order_id/refunds',
    schema: {
      operationId: 'requestRefund',
      summary: 'Refund (part of) one of the calling user’s FINISHED orders',
      description:
        'The refund is PENDING until payments-service credited the account (SUCCEEDED, exactly once) or ' +
        'could not (FAILED, with a reason). The refunds of an order never add up to more than its amount.',
      tags: ['orders'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      params: OrderParams,
      body: RequestRefundBody,
      response: {
        202: jsonResponse(Refund, 'The refund, PENDING.'),
        404: noOrder,
        409: problemResponse('`order_not_refundable`: only a FINISHED order can be refunded.'),
        422: problemResponse(
          '`refund_exceeds_order`: with the refunds already asked for, this one would pass the order’s amount.',
        ),
      },
    },
    links: {
      202: {
        listRefunds: {
          operationId: 'listRefunds',
          parameters: { order_id: '$response.body#/order_id', ...SAME_USER },
        },
      },
    },
  }),
  listRefunds: serviceRoute({
    method: 'GET',
    url: '/orders/:order_id/refunds',
    schema: {
      operationId: 'listRefunds',
      summary: 'The refunds of one of the calling user’s orders, oldest first',
      tags: ['orders'],
      headers: UserIdHeaders,
      querystring: NoQuery,
      params: OrderParams,
      response: {
        200: jsonResponse(RefundList, 'The order’s refunds, oldest first, each with its status.'),
        404: noOrder,
      },
    },
  }),
} as const
