import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorCatalogue, normaliseUuid, OrderRoutes } from '@shop/contracts'
import {
  AppError,
  autocommit,
  noBodyMeansEmptyObject,
  type RouteResponse,
  requireUserId,
  respondInTransaction,
  toMinorUnits,
} from '@shop/platform'
import type pg from 'pg'
import { findUserOrder } from '../data/orders.repository.ts'
import { listOrderRefunds } from '../data/refunds.repository.ts'
import { type CancelOutcome, cancelOrder } from '../domain/cancel-order.ts'
import { toOrderView } from '../domain/order.ts'
import { toRefundView } from '../domain/refund.ts'
import { type RefundRequestOutcome, requestRefund } from '../domain/request-refund.ts'

// Each refusal below is thrown: the request's transaction then rolls back and records nothing,
// not even under its Idempotency-Key.

const orderNotFound = () => new AppError(ErrorCatalogue.orderNotFound, 'This user has no such order')

function cancelAnswer(cancelled: CancelOutcome): RouteResponse {
  switch (cancelled.outcome) {
    case 'cancelled':
    case 'already_cancelled':
      return { status: 200, body: toOrderView(cancelled.order) }
    case 'not_cancellable':
      throw new AppError(
        ErrorCatalogue.orderNotCancellable,
        `This order is ${cancelled.order.status} and cannot be cancelled; refund it instead`,
      )
    case 'order_not_found':
      throw orderNotFound()
  }
}

function refundAnswer(requested: RefundRequestOutcome): RouteResponse {
  switch (requested.outcome) {
    case 'requested':
      return { status: 202, body: toRefundView(requested.refund) }
    case 'not_refundable':
      throw new AppError(
        ErrorCatalogue.orderNotRefundable,
        `This order is ${requested.order.status}; only a FINISHED order can be refunded`,
      )
    case 'exceeds_order':
      throw new AppError(
        ErrorCatalogue.refundExceedsOrder,
        `With the refunds already asked for, at most ${requested.leftMinor} minor units of this order can be refunded`,
      )
    case 'order_not_found':
      throw orderNotFound()
  }
}

/** What follows an order: its owner cancels it while NEW, or has it refunded once FINISHED. */
export const refundRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; ordersTopic: string }> = async (
  app,
  { pool, ordersTopic },
) => {
  app.addHook('onRequest', requireUserId)

  app.route({
    ...OrderRoutes.cancelOrder,
    preValidation: noBodyMeansEmptyObject,
    handler: (request, reply) =>
      respondInTransaction(request, reply, pool, async (tx) => {
        const orderId = normaliseUuid(request.params.order_id)
        const cancelled = await cancelOrder(tx, { userId: request.userId, orderId }, ordersTopic)
        request.log.info({ order_id: orderId, outcome: cancelled.outcome }, 'cancellation asked for')
        return cancelAnswer(cancelled)
      }),
  })

  app.route({
    ...OrderRoutes.requestRefund,
    preValidation: noBodyMeansEmptyObject,
    handler: (request, reply) =>
      respondInTransaction(request, reply, pool, async (tx) => {
        const { amount } = request.body
        const orderId = normaliseUuid(request.params.order_id)
        const requested = await requestRefund(
          tx,
          {
            userId: request.userId,
            orderId,
            amountMinor: amount === undefined ? undefined : toMinorUnits(amount, 'amount'),
          },
          ordersTopic,
          request.trace.traceparent,
        )
        request.log.info({ order_id: orderId, outcome: requested.outcome }, 'refund asked for')
        return refundAnswer(requested)
      }),
  })

  app.route({
    ...OrderRoutes.listRefunds,
    handler: async (request) => {
      const db = autocommit(pool)
      const order = await findUserOrder(db, request.userId, normaliseUuid(request.params.order_id))
      if (!order) throw orderNotFound()
      return (await listOrderRefunds(db, order.id)).map(toRefundView)
    },
  })
}
