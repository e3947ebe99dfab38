import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { charge, expectProblem, getBalance, givenAccount, topUp } from './support/http.ts'
import { usePaymentsApp } from './support/payments-app.ts'
import {
  ledgerSumMinor,
  snapshotTables,
  storedBalanceMinor,
  storedLedger,
  storedPayments,
} from './support/stored.ts'

const payments = usePaymentsApp()

describe('POST /accounts/charge', () => {
  it('when the balance covers the amount, then 200 SUCCESS, the balance drops and the payment and a negative ledger entry are stored', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, userId, 100)

    const response = await charge(payments.app, userId, orderId, 30.5)

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ order_id: orderId, status: 'SUCCESS' })
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(6950)
    expect(await storedPayments(payments.db.pool, orderId)).toEqual([
      { order_id: orderId, user_id: userId, amount_minor: 3050, status: 'SUCCESS', reason: null },
    ])
    expect(await storedLedger(payments.db.pool, userId)).toEqual([
      { kind: 'opening', amount_minor: 10000, order_id: null },
      { kind: 'charge', amount_minor: -3050, order_id: orderId },
    ])
  })

  it('when the amount equals the whole balance, then it succeeds and leaves 0', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 12.34)

    expect((await charge(payments.app, userId, randomUUID(), 12.34)).statusCode).toBe(200)
    expect((await getBalance(payments.app, userId)).json()).toEqual({ user_id: userId, balance: 0 })
  })

  it('when the same order is charged again with the same amount, then the same 200 answers and nothing more is charged', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, userId, 100)
    const first = await charge(payments.app, userId, orderId, 40)
    const afterFirst = await snapshotTables(payments.db.pool)

    const replay = await charge(payments.app, userId, orderId, 40)
    // The order id is a UUID: its case must not make it another order.
    const upperCaseReplay = await charge(payments.app, userId, orderId.toUpperCase(), 40)

    expect(replay.statusCode).toBe(200)
    expect(replay.json()).toEqual(first.json())
    expect(upperCaseReplay.statusCode).toBe(200)
    expect(upperCaseReplay.json()).toEqual(first.json())
    expect(await snapshotTables(payments.db.pool)).toEqual(afterFirst)
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(6000)
  })

  it('when the same order is charged again with another amount, then 409 order_already_charged and nothing changes', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, userId, 100)
    await charge(payments.app, userId, orderId, 40)
    const before = await snapshotTables(payments.db.pool)

    expectProblem(await charge(payments.app, userId, orderId, 41), 409, 'order_already_charged')
    expectProblem(await charge(payments.app, userId, orderId, 39.99), 409, 'order_already_charged')
    expect(await snapshotTables(payments.db.pool)).toEqual(before)
  })

  it('when another user charges an order that was already charged, then 409 order_already_charged and their balance is untouched', async () => {
    const owner = randomUUID()
    const other = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, owner, 100)
    await givenAccount(payments.app, other, 100)
    await charge(payments.app, owner, orderId, 40)
    const before = await snapshotTables(payments.db.pool)

    expectProblem(await charge(payments.app, other, orderId, 40), 409, 'order_already_charged')
    expect(await snapshotTables(payments.db.pool)).toEqual(before)
    expect(await storedBalanceMinor(payments.db.pool, other)).toBe(10000)
  })

  it('when the balance does not cover the amount, then 402 insufficient_funds and nothing is stored', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, userId, 10)
    const before = await snapshotTables(payments.db.pool)

    expectProblem(await charge(payments.app, userId, orderId, 10.01), 402, 'insufficient_funds')
    expect(await snapshotTables(payments.db.pool)).toEqual(before)
    expect(await storedPayments(payments.db.pool, orderId)).toEqual([])
  })

  it('when a charge failed for lack of funds and the user tops up, then the same order id succeeds once', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, userId, 10)
    expectProblem(await charge(payments.app, userId, orderId, 25), 402, 'insufficient_funds')
    await topUp(payments.app, userId, 20)

    const retry = await charge(payments.app, userId, orderId, 25)
    const replay = await charge(payments.app, userId, orderId, 25)

    expect(retry.statusCode).toBe(200)
    expect(retry.json()).toEqual({ order_id: orderId, status: 'SUCCESS' })
    expect(replay.statusCode).toBe(200)
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(500)
    expect(await storedPayments(payments.db.pool, orderId)).toHaveLength(1)
  })

  it('when the user has no account, then 404 account_not_found and no payment is stored', async () => {
    const orderId = randomUUID()
    const before = await snapshotTables(payments.db.pool)

    expectProblem(await charge(payments.app, randomUUID(), orderId, 1), 404, 'account_not_found')
    expect(await snapshotTables(payments.db.pool)).toEqual(before)
  })

  it('when a user opens, tops up and is charged, then the balance always equals the sum of the ledger', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 50)
    await topUp(payments.app, userId, 25.25)
    await charge(payments.app, userId, randomUUID(), 70)
    await charge(payments.app, userId, randomUUID(), 70) // refused: 5.25 left
    await charge(payments.app, userId, randomUUID(), 5.25)
    await topUp(payments.app, userId, 0.01)

    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(1)
    expect(await ledgerSumMinor(payments.db.pool, userId)).toBe(1)
    expect((await storedLedger(payments.db.pool, userId)).map((entry) => entry.kind)).toEqual([
      'opening',
      'top_up',
      'charge',
      'charge',
      'top_up',
    ])
  })
})
