import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { expectProblem, givenAccount } from './support/http.ts'
import { usePaymentsApp } from './support/payments-app.ts'
import { storedBalanceMinor, storedLedger } from './support/stored.ts'

const payments = usePaymentsApp()

const postWithKey = (url: string, userId: string, key: string, body: object) =>
  payments.app.inject({
    method: 'POST',
    url,
    headers: { 'x-user-id': userId, 'idempotency-key': key },
    payload: body,
  })

describe('Idempotency-Key on the account routes', () => {
  it('when a top-up is retried with its key, then the money is added once and the answer replayed', async () => {
    const user = randomUUID()
    await givenAccount(payments.app, user, 10)
    const key = randomUUID()
    const first = await postWithKey('/accounts/topup', user, key, { amount: 5 })
    const retried = await postWithKey('/accounts/topup', user, key, { amount: 5 })

    expect(first.json()).toEqual({ user_id: user, balance: 15 })
    expect(retried.json()).toEqual({ user_id: user, balance: 15 })
    expect(retried.headers['idempotent-replayed']).toBe('true')
    expect(await storedBalanceMinor(payments.db.pool, user)).toBe(1500)
    expect(
      (await storedLedger(payments.db.pool, user)).filter((entry) => entry.kind === 'top_up'),
    ).toHaveLength(1)
  })

  it('when an account opening is retried with its key, then it replays 201 instead of answering 409', async () => {
    const user = randomUUID()
    const key = randomUUID()
    const first = await postWithKey('/accounts', user, key, { initial_balance: 7 })
    const retried = await postWithKey('/accounts', user, key, { initial_balance: 7 })
    const withoutKey = await payments.app.inject({
      method: 'POST',
      url: '/accounts',
      headers: { 'x-user-id': user },
    })

    expect(first.statusCode).toBe(201)
    expect(retried.statusCode).toBe(201)
    expect(retried.json()).toEqual(first.json())
    expectProblem(withoutKey, 409, 'account_exists')
  })

  it('when a charge failed for lack of funds, then the same key may be retried after a top-up and succeeds once', async () => {
    const user = randomUUID()
    await givenAccount(payments.app, user, 1)
    const key = randomUUID()
    const order = { order_id: randomUUID(), amount: 5 }
    expectProblem(await postWithKey('/accounts/charge', user, key, order), 402, 'insufficient_funds')
    await postWithKey('/accounts/topup', user, randomUUID(), { amount: 10 })
    const paid = await postWithKey('/accounts/charge', user, key, order)
    const replayed = await postWithKey('/accounts/charge', user, key, order)

    expect(paid.json()).toEqual({ order_id: order.order_id, status: 'SUCCESS' })
    expect(replayed.headers['idempotent-replayed']).toBe('true')
    expect(await storedBalanceMinor(payments.db.pool, user)).toBe(600)
  })

  it('when a key is reused on another route, then 422 idempotency_key_reused', async () => {
    const user = randomUUID()
    await givenAccount(payments.app, user, 10)
    const key = randomUUID()
    await postWithKey('/accounts/topup', user, key, { amount: 1 })
    expectProblem(
      await postWithKey('/accounts/charge', user, key, { order_id: randomUUID(), amount: 1 }),
      422,
      'idempotency_key_reused',
    )
    expect(await storedBalanceMinor(payments.db.pool, user)).toBe(1100)
  })
})
