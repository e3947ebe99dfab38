import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccountRoutes, ErrorCatalogue, normaliseUuid } from '@shop/contracts'
import {
  AppError,
  noBodyMeansEmptyObject,
  requireUserId,
  respondIdempotently,
  toMinorUnits,
} from '@shop/platform'
import type pg from 'pg'
import { accountNotFound, getBalance, openAccount, topUp } from '../domain/accounts.ts'
import { type ChargeOnRequestOutcome, chargeOnRequest } from '../domain/charge-on-request.ts'

/**
 * A charge's outcome as HTTP. A refusal is thrown: the request then records nothing, not even under
 * its Idempotency-Key, and the same request may succeed after a top-up.
 */
function chargeAnswer(charge: ChargeOnRequestOutcome) {
  switch (charge.outcome) {
    case 'charged':
      return { status: 200, body: { order_id: charge.orderId, status: 'SUCCESS' as const } }
    case 'charged_otherwise':
      throw new AppError(
        ErrorCatalogue.orderAlreadyCharged,
        'This order id was charged with another amount or by another user',
      )
    case 'account_not_found':
      throw accountNotFound()
    case 'insufficient_funds':
      throw new AppError(ErrorCatalogue.insufficientFunds, 'The balance does not cover this amount')
  }
}

/** The account routes; a plugin, so the X-User-Id hook covers these routes and not /health or /docs. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool }> = async (app, { pool }) => {
  app.addHook('onRequest', requireUserId)

  app.route({
    ...AccountRoutes.openAccount,
    // The body is optional: no body means an opening balance of 0.
    preValidation: noBodyMeansEmptyObject,
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
      respondIdempotently(request, reply, pool, async (db) =>
        chargeAnswer(
          await chargeOnRequest(db, {
            orderId: normaliseUuid(request.body.order_id),
            userId: request.userId,
            amountMinor: toMinorUnits(request.body.amount, 'amount'),
          }),
        ),
      ),
  })
}
