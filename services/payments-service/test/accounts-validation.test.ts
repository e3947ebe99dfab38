import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { badRequests, requestFor } from './support/bad-requests.ts'
import { expectProblem, givenAccount, post, topUp } from './support/http.ts'
import { usePaymentsApp } from './support/payments-app.ts'
import { snapshotTables } from './support/stored.ts'

const payments = usePaymentsApp()

describe('bad input', () => {
  it.each(badRequests)(
    'when a request has $name, then $status $code and nothing is stored',
    async (testCase) => {
      // The caller has an account with money, so only the bad input can explain the refusal.
      const userId = randomUUID()
      await givenAccount(payments.app, userId, 100)
      const before = await snapshotTables(payments.db.pool)

      const response = await payments.app.inject(requestFor(testCase, userId))

      expectProblem(response, testCase.status, testCase.code)
      expect(await snapshotTables(payments.db.pool)).toEqual(before)
    },
  )

  it('when a body field breaks the schema, then the problem names the field', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 100)

    const response = await topUp(payments.app, userId, '1' as unknown as number)

    expectProblem(response, 422, 'validation_failed')
    expect(response.json().errors).toContainEqual({ field: '/amount', message: expect.any(String) })
  })

  it('when an unknown field is sent, then the problem names that field', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 100)

    const response = await post(payments.app, '/accounts/topup', userId, { amount: 1, tip: 2 })

    expectProblem(response, 422, 'validation_failed')
    expect(response.json().errors).toContainEqual({ field: '/tip', message: expect.any(String) })
  })
})

describe('unknown routes', () => {
  it.each([
    ['POST', '/accounts/withdraw'],
    ['GET', '/nothing-here'],
  ] as const)('when %s %s is asked for, then 404 route_not_found', async (method, url) => {
    const response = await payments.app.inject({ method, url, headers: { 'x-user-id': randomUUID() } })

    expectProblem(response, 404, 'route_not_found')
  })
})

describe('methods a route lacks', () => {
  it.each([
    ['GET', '/accounts', 'POST'],
    ['DELETE', '/accounts', 'POST'],
    ['PUT', '/accounts/balance', 'GET, HEAD'],
    ['DELETE', '/accounts/balance', 'GET, HEAD'],
    ['POST', '/accounts/balance', 'GET, HEAD'],
    ['GET', '/accounts/topup', 'POST'],
    ['PATCH', '/accounts/charge', 'POST'],
    ['OPTIONS', '/accounts/charge', 'POST'],
  ] as const)(
    'when %s %s is asked for, then 405 with Allow: %s and nothing is stored',
    async (method, url, allow) => {
      const userId = randomUUID()
      await givenAccount(payments.app, userId, 100)
      const before = await snapshotTables(payments.db.pool)

      const response = await payments.app.inject({
        method,
        url,
        headers: { 'x-user-id': userId },
        ...(method === 'GET' ? {} : { payload: { amount: 1, initial_balance: 1, order_id: randomUUID() } }),
      })

      expectProblem(response, 405, 'method_not_allowed')
      expect(response.headers.allow).toBe(allow)
      expect(await snapshotTables(payments.db.pool)).toEqual(before)
    },
  )
})
