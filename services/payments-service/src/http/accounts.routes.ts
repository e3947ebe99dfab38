import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AccountRoutes, ErrorCatalogue, normaliseUuid } from '@shop/contracts'
import {
  AppError,
  autocommit,
  noBodyMeansEmptyObject,
  requireUserId,
  respondInTransaction,
  toMinorUnits,
} from '@shop/platform'
import type pg from 'pg'
import { toAccountView } from '../domain/account.ts'
import {
  type BalanceOutcome,
  getBalance,
  type OpenAccountOutcome,
  openAccount,
  type TopUpOutcome,
  topUp,
} from '../domain/accounts.ts'
import { type ChargeOnRequestOutcome, chargeOnRequest } from '../domain/charge-on-request.ts'

// Each refusal below is thrown: the transaction of the request then rolls back and records
// nothing, not even under its Idempotency-Key, and the same request may succeed later.

const accountNotFound = () =>
  new AppError(ErrorCatalogue.accountNotFound, 'This user has no account; create one first')

function openAnswer(opened: OpenAccountOutcome) {
  if (opened.outcome === 'account_exists')
    throw new AppError(ErrorCatalogue.accountExists, 'This user already has an account')
  return { status: 201, body: toAccountView(opened.account) }
}

function topUpAnswer(topped: TopUpOutcome) {
  switch (topped.outcome) {
    case 'topped_up':
      return { status: 200, body: toAccountView(topped.account) }
    case 'account_not_found':
      throw accountNotFound()
    case 'balance_limit_exceeded':
      throw new AppError(ErrorCatalogue.balanceLimitExceeded, 'A balance may not exceed 100,000,000,000.00')
  }
}

function balanceAnswer(balance: BalanceOutcome) {
  if (balance.outcome === 'account_not_found') throw accountNotFound()
  return toAccountView(balance.account)
}

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
      respondInTransaction(request, reply, pool, async (tx) => {
        const initialBalance = request.body.initial_balance ?? 0
        return openAnswer(
          await openAccount(tx, request.userId, toMinorUnits(initialBalance, 'initial_balance')),
        )
      }),
  })

  app.route({
    ...AccountRoutes.topUp,
    handler: (request, reply) =>
      respondInTransaction(request, reply, pool, async (tx) =>
        topUpAnswer(await topUp(tx, request.userId, toMinorUnits(request.body.amount, 'amount'))),
      ),
  })

  app.route({
    ...AccountRoutes.getBalance,
    handler: async (request) => balanceAnswer(await getBalance(autocommit(pool), request.userId)),
  })

  app.route({
    ...AccountRoutes.charge,
    handler: (request, reply) =>
      respondInTransaction(request, reply, pool, async (tx) =>
        chargeAnswer(
          await chargeOnRequest(tx, {
            orderId: normaliseUuid(request.body.order_id),
            userId: request.userId,
            amountMinor: toMinorUnits(request.body.amount, 'amount'),
          }),
        ),
      ),
  })
}
