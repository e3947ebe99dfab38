import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  DEFAULT_LIST_LIMIT,
  ErrorCatalogue,
  MAX_LIST_LIMIT,
  normaliseUuid,
  OrderRoutes,
} from '@shop/contracts'
import {
  AppError,
  autocommit,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
  keyedRequestOf,
  requireUserId,
  respond,
  toMinorUnits,
} from '@shop/platform'
import type pg from 'pg'
import { findUserOrder, listUserOrders } from '../data/orders.repository.ts'
import { toOrderView } from '../domain/order.ts'
import type { OrderIntake } from '../domain/order-intake.ts'

/** The order routes; a plugin, so the X-User-Id hook covers these routes and not /health or /docs. */
export const orderRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; intake: OrderIntake }> = async (
  app,
  { pool, intake },
) => {
  app.addHook('onRequest', requireUserId)

  app.route({
    ...OrderRoutes.placeOrder,
    handler: async (request, reply) => {
      const key = idempotencyKeyOf(request)
      const answer = await intake.submit({
        order: {
          userId: request.userId,
          amountMinor: toMinorUnits(request.body.amount, 'amount'),
          description: request.body.description ?? null,
          traceparent: request.trace.traceparent,
        },
        keyed: key === undefined ? undefined : keyedRequestOf(request, key),
      })
      if (answer.placed) {
        request.log.info(
          { order_id: answer.placed.id, amount_minor: answer.placed.amountMinor },
          'order placed',
        )
      }
      if (answer.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true')
      return respond(reply, answer.response)
    },
  })

  app.route({
    ...OrderRoutes.listOrders,
    handler: async (request) => {
      const limit = Number(request.query.limit ?? DEFAULT_LIST_LIMIT)
      if (limit > MAX_LIST_LIMIT)
        throw new AppError(ErrorCatalogue.invalidQuery, 'limit must be at most 1000')
      return (await listUserOrders(autocommit(pool), request.userId, limit)).map(toOrderView)
    },
  })

  app.route({
    ...OrderRoutes.getOrder,
    handler: async (request) => {
      const order = await findUserOrder(
        autocommit(pool),
        request.userId,
        normaliseUuid(request.params.order_id),
      )
      if (!order) throw new AppError(ErrorCatalogue.orderNotFound, 'This user has no such order')
      return toOrderView(order)
    },
  })
}
