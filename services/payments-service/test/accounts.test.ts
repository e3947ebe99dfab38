import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { expectProblem, getBalance, givenAccount, openAccount, post, topUp } from './support/http.ts'
import { usePaymentsApp } from './support/payments-app.ts'
import { snapshotTables, storedBalanceMinor, storedLedger } from './support/stored.ts'

const payments = usePaymentsApp()

describe('POST /accounts', () => {
  it('when a user opens an account with an initial balance, then 201 returns it and it is stored in minor units with an opening ledger entry', async () => {
    const userId = randomUUID()
    const response = await openAccount(payments.app, userId, 150.25)

    expect(response.statusCode).toBe(201)
    expect(response.json()).toEqual({ user_id: userId, balance: 150.25 })
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(15025)
    expect(await storedLedger(payments.db.pool, userId)).toEqual([
      { kind: 'opening', amount_minor: 15025, order_id: null },
    ])
  })

  it('when the request has no body at all, then the account opens with balance 0', async () => {
    const userId = randomUUID()
    const response = await post(payments.app, '/accounts', userId)

    expect(response.statusCode, response.body).toBe(201)
    expect(response.json()).toEqual({ user_id: userId, balance: 0 })
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(0)
    expect(await storedLedger(payments.db.pool, userId)).toEqual([
      { kind: 'opening', amount_minor: 0, order_id: null },
    ])
  })

  it('when the body is empty but sent as JSON (as curl -H content-type does), then the account opens with balance 0', async () => {
    const userId = randomUUID()
    const response = await payments.app.inject({
      method: 'POST',
      url: '/accounts',
      headers: { 'x-user-id': userId, 'content-type': 'application/json' },
      payload: '',
    })

    expect(response.statusCode, response.body).toBe(201)
    expect(response.json()).toEqual({ user_id: userId, balance: 0 })
  })

  it('when the body is an empty object, then the account opens with balance 0', async () => {
    const userId = randomUUID()
    const response = await openAccount(payments.app, userId)

    expect(response.statusCode).toBe(201)
    expect(response.json()).toEqual({ user_id: userId, balance: 0 })
  })

  it('when the body is JSON null, then 422 validation_failed and no account is opened', async () => {
    // Only a missing body means "no opening balance"; null is a body that is not an object.
    const userId = randomUUID()
    const response = await payments.app.inject({
      method: 'POST',
      url: '/accounts',
      headers: { 'x-user-id': userId, 'content-type': 'application/json' },
      payload: 'null',
    })

    expectProblem(response, 422, 'validation_failed')
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBeUndefined()
  })

  it('when the user already has an account, then 409 account_exists and the first account is untouched', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 10)
    const before = await snapshotTables(payments.db.pool)

    const response = await openAccount(payments.app, userId, 999)

    expectProblem(response, 409, 'account_exists')
    expect(await snapshotTables(payments.db.pool)).toEqual(before)
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(1000)
  })

  it('when X-User-Id is upper case, then the account belongs to the lower-cased id', async () => {
    // One user must not get two accounts by changing the case of their id.
    const userId = randomUUID()
    const response = await openAccount(payments.app, userId.toUpperCase(), 5)

    expect(response.statusCode).toBe(201)
    expect(response.json()).toEqual({ user_id: userId, balance: 5 })
    expectProblem(await openAccount(payments.app, userId, 5), 409, 'account_exists')
  })
})

describe('POST /accounts/topup', () => {
  it('when a user tops up, then 200 returns the new balance and a top_up ledger entry is stored', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 1)

    const response = await topUp(payments.app, userId, 0.1)
    const again = await topUp(payments.app, userId, 0.2)

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ user_id: userId, balance: 1.1 })
    // Minor units keep cents exact: 1 + 0.1 + 0.2 is 1.3, not 1.3000000000000003.
    expect(again.json()).toEqual({ user_id: userId, balance: 1.3 })
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(130)
    expect(await storedLedger(payments.db.pool, userId)).toEqual([
      { kind: 'opening', amount_minor: 100, order_id: null },
      { kind: 'top_up', amount_minor: 10, order_id: null },
      { kind: 'top_up', amount_minor: 20, order_id: null },
    ])
  })

  it('when the user has no account, then 404 account_not_found and no account is created', async () => {
    const userId = randomUUID()
    const before = await snapshotTables(payments.db.pool)

    expectProblem(await topUp(payments.app, userId, 10), 404, 'account_not_found')
    expect(await snapshotTables(payments.db.pool)).toEqual(before)
  })

  it('when top-ups reach 100,000,000,000.00 exactly, then they succeed, and one more cent is 422 balance_limit_exceeded', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 1_000_000_000)
    // Top-ups commute, so the first 98 may run together; that keeps this test quick.
    const topUps = await Promise.all(
      Array.from({ length: 98 }, () => topUp(payments.app, userId, 1_000_000_000)),
    )
    expect(topUps.map((response) => response.statusCode)).toEqual(Array(98).fill(200))

    const last = await topUp(payments.app, userId, 1_000_000_000)
    expect(last.statusCode).toBe(200)
    expect(last.json()).toEqual({ user_id: userId, balance: 100_000_000_000 })
    const before = await snapshotTables(payments.db.pool)

    expectProblem(await topUp(payments.app, userId, 0.01), 422, 'balance_limit_exceeded')
    expect(await snapshotTables(payments.db.pool)).toEqual(before)
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(10_000_000_000_000)
  })
})

describe('GET /accounts/balance', () => {
  it('when the user has an account, then 200 returns the stored balance', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 42.5)
    await topUp(payments.app, userId, 0.05)

    const response = await getBalance(payments.app, userId)

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ user_id: userId, balance: 42.55 })
  })

  it('when the user has no account, then 404 account_not_found', async () => {
    expectProblem(await getBalance(payments.app, randomUUID()), 404, 'account_not_found')
  })

  it('when another user has an account, then the caller still sees only their own (404)', async () => {
    // The balance is looked up by the caller's id, never by anything else in the request.
    await givenAccount(payments.app, randomUUID(), 10)
    expectProblem(await getBalance(payments.app, randomUUID()), 404, 'account_not_found')
  })
})
