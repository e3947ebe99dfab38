import { randomUUID } from 'node:crypto'
import type { OrderCreatedPayload } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statementsSent } from '../../../tests/support/statements-sent.ts'
import { openAccount } from '../src/domain/accounts.ts'
import { payForOrder, payForOrders } from '../src/domain/pay-for-order.ts'
import { createPaymentsDatabase, type PaymentsDatabase } from './support/payments-database.ts'
import { countPaymentsOf, ledgerSumMinor, storedBalanceMinor } from './support/stored.ts'

let db: PaymentsDatabase
const RESULTS_TOPIC = 'payment-results'

beforeAll(async () => {
  db = await createPaymentsDatabase({ max: 10 })
})
afterAll(async () => {
  await db?.close()
})

const orderOf = (userId: string, amountMinor: number, orderId = randomUUID()): OrderCreatedPayload => ({
  order_id: orderId,
  user_id: userId,
  amount_minor: amountMinor,
})

const payInOneBatch = (orders: readonly OrderCreatedPayload[]) =>
  inTransaction(db.pool, (tx) =>
    payForOrders(
      tx,
      orders.map((order) => ({ order })),
      RESULTS_TOPIC,
    ),
  )

const givenAccount = (userId: string, balanceMinor: number) =>
  inTransaction(db.pool, (tx) => openAccount(tx, userId, balanceMinor))

const outcomes = (results: readonly { status: string; reason?: string }[]) =>
  results.map((result) => (result.status === 'SUCCESS' ? 'SUCCESS' : result.reason))

describe('paying a batch of orders', () => {
  it('when one batch holds orders of one user whose sum exceeds the balance, then they are charged in event order while the balance lasts', async () => {
    const user = randomUUID()
    await givenAccount(user, 400)

    const results = await payInOneBatch([300, 200, 100, 50].map((amount) => orderOf(user, amount)))

    expect(outcomes(results)).toEqual(['SUCCESS', 'insufficient_funds', 'SUCCESS', 'insufficient_funds'])
    expect(await storedBalanceMinor(db.pool, user)).toBe(0)
    expect(await ledgerSumMinor(db.pool, user)).toBe(0)
    expect(await countPaymentsOf(db.pool, user)).toBe(4)
  })

  it('when a batch repeats an order, holds one paid before and one of a user with no account, then each is charged at most once', async () => {
    const [user, stranger] = [randomUUID(), randomUUID()]
    await givenAccount(user, 1_000)
    const paidBefore = orderOf(user, 100)
    await inTransaction(db.pool, (tx) => payForOrder(tx, paidBefore, RESULTS_TOPIC))
    const twice = orderOf(user, 200)

    const results = await payInOneBatch([
      twice,
      paidBefore,
      orderOf(stranger, 10),
      twice,
      { ...paidBefore, amount_minor: 999 },
    ])

    expect(outcomes(results)).toEqual([
      'SUCCESS',
      'SUCCESS',
      'account_not_found',
      'SUCCESS',
      'payment_conflict',
    ])
    expect(await storedBalanceMinor(db.pool, user)).toBe(700)
    expect(await ledgerSumMinor(db.pool, user)).toBe(700)
    expect(await countPaymentsOf(db.pool, user)).toBe(2)
    expect(await storedBalanceMinor(db.pool, stranger)).toBeUndefined()
  })

  it('when batches of one user’s orders are paid at once, then the balance is never overdrawn', async () => {
    const user = randomUUID()
    await givenAccount(user, 500)

    const batches = await Promise.all(
      Array.from({ length: 4 }, () => payInOneBatch(Array.from({ length: 5 }, () => orderOf(user, 100)))),
    )

    expect(batches.flat().filter((result) => result.status === 'SUCCESS')).toHaveLength(5)
    expect(await storedBalanceMinor(db.pool, user)).toBe(0)
    expect(await ledgerSumMinor(db.pool, user)).toBe(0)
  })

  it('when a batch holds many orders of many users, then it costs one round of statements', async () => {
    const users = Array.from({ length: 5 }, () => randomUUID())
    for (const user of users) await givenAccount(user, 1_000)
    const orders = Array.from({ length: 40 }, (_, index) => orderOf(users[index % 5] as string, 100))

    const statements = await statementsSent(db.pool, () => payInOneBatch(orders))

    // BEGIN, order locks, payments so far, balances, debits, payments, ledger, outbox, COMMIT.
    expect(statements).toHaveLength(9)
    for (const user of users) expect(await storedBalanceMinor(db.pool, user)).toBe(200)
  })
})
