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
  type Executor,
  idempotencyKeyOf,
  type RouteResponse,
  requireUserId,
  respond,
  respondInTransaction,
  toMinorUnits,
} from '@shop/platform'
import type pg from 'pg'
import { findUserOrder, listUserOrders } from '../data/orders.repository.ts'
import { toOrderView } from '../domain/order.ts'
import { placeOrder } from '../domain/place-order.ts'

/** The order routes; a plugin, so the X-User-Id hook covers these routes and not /health or /docs. */
export const orderRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; ordersTopic: string }> = async (
  app,
  { pool, ordersTopic },
) => {
  app.addHook('onRequest', requireUserId)

  app.route({
    ...OrderRoutes.placeOrder,
    handler: async (request, reply) => {
      const place = async (db: Executor): Promise<RouteResponse> => {
        const order = await placeOrder(
          db,
          {
            userId: request.userId,
            amountMinor: toMinorUnits(request.body.amount, 'amount'),
            description: request.body.description ?? null,
          },
          ordersTopic,
          request.trace.traceparent,
        )
        request.log.info({ order_id: order.id, amount_minor: order.amountMinor }, 'order placed')
        return { status: 201, body: toOrderView(order) }
      }
      // The order is one statement, atomic on its own: without a key to record alongside it, it
      // commits by itself, sparing the BEGIN and COMMIT round trips that would bound peak load.
      if (idempotencyKeyOf(request) === undefined) return respond(reply, await place(autocommit(pool)))
      return respondInTransaction(request, reply, pool, place)
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
