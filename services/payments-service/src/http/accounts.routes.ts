import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccountRoutes, normaliseUuid } from '@shop/contracts'
import { requireUserId, respondIdempotently, toMinorUnits } from '@shop/platform'
import type pg from 'pg'
import { getBalance, openAccount, topUp } from '../domain/accounts.ts'
import { chargeOnRequest } from '../domain/charge-on-request.ts'

/** The account routes; a plugin, so the X-User-Id hook covers these routes and not /health or /docs. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool }> = async (app, { pool }) => {
  app.addHook('onRequest', requireUserId)

  app.route({
    ...AccountRoutes.openAccount,
    // The body is optional: no body means an opening balance of 0. A JSON `null` is a body, and
    // not an object: it must fail validation rather than open an account.
    preValidation: async (request) => {
      if (request.body === undefined) request.body = {}
    },
    handler: (request, reply) =>
      respondIdempotently(request, reply, pool, async (db) => {
        const initialBalance = request.body.initial_balance ?? 0
        const account = await openAccount(db, request.userId, toMinorUnits(initialBalance, 'initial_balance'))
        return { status: 201, body: account }
      }),
  })

  app.route({
    ...AccountRoutes.topUp,
    handler: (request, reply) =>
      respondIdempotently(request, reply, pool, async (db) => ({
        status: 200,
        body: await topUp(db, request.userId, toMinorUnits(request.body.amount, 'amount')),
      })),
  })

  app.route({
    ...AccountRoutes.getBalance,
    handler: async (request) => getBalance(pool, request.userId),
  })

  app.route({
    ...AccountRoutes.charge,
    handler: (request, reply) =>
      respondIdempotently(request, reply, pool, async (db) => ({
        status: 200,
        body: await chargeOnRequest(db, {
          orderId: normaliseUuid(request.body.order_id),
          userId: request.userId,
          amountMinor: toMinorUnits(request.body.amount, 'amount'),
        }),
      })),
  })
}
