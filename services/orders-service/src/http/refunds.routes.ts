import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { normaliseUuid, OrderRoutes } from '@shop/contracts'
import { noBodyMeansEmptyObject, requireUserId, respondIdempotently, toMinorUnits } from '@shop/platform'
import type pg from 'pg'
import { findUserOrder } from '../data/orders.repository.ts'
import { listOrderRefunds } from '../data/refunds.repository.ts'
import { cancelOrder, orderNotFound } from '../domain/cancel-order.ts'
import { toOrderView } from '../domain/order.ts'
import { toRefundView } from '../domain/refund.ts'
import { requestRefund } from '../domain/request-refund.ts'

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
      respondIdempotently(request, reply, pool, async (db) => {
        const orderId = normaliseUuid(request.params.order_id)
        const order = await cancelOrder(db, { userId: request.userId, orderId }, ordersTopic)
        request.log.info({ order_id: order.id, status: order.status }, 'order cancelled by its owner')
        return { status: 200, body: toOrderView(order) }
      }),
  })

  app.route({
    ...OrderRoutes.requestRefund,
    preValidation: noBodyMeansEmptyObject,
    handler: (request, reply) =>
      respondIdempotently(request, reply, pool, async (db) => {
        const { amount } = request.body
        const refund = await requestRefund(
          db,
          {
            userId: request.userId,
            orderId: normaliseUuid(request.params.order_id),
            amountMinor: amount === undefined ? undefined : toMinorUnits(amount, 'amount'),
          },
          ordersTopic,
          request.trace.traceparent,
        )
        request.log.info(
          { order_id: refund.orderId, refund_id: refund.id, amount_minor: refund.amountMinor },
          'refund requested',
        )
        return { status: 202, body: toRefundView(refund) }
      }),
  })

  app.route({
    ...OrderRoutes.listRefunds,
    handler: async (request) => {
      const order = await findUserOrder(pool, request.userId, normaliseUuid(request.params.order_id))
      if (!order) throw orderNotFound()
      return (await listOrderRefunds(pool, order.id)).map(toRefundView)
    },
  })
}
