import { expect } from 'vitest'
import type { buildApp } from '../../src/app.ts'

export { expectProblem } from '../../../../tests/support/problem.ts'

export type PaymentsApp = Awaited<ReturnType<typeof buildApp>>

/** A JSON request as the gateway sends it: the caller in X-User-Id, the body serialised by inject. */
export function post(app: PaymentsApp, url: string, userId: string, body?: unknown) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'x-user-id': userId },
    ...(body === undefined ? {} : { payload: body as object }),
  })
}

export const openAccount = (app: PaymentsApp, userId: string, initialBalance?: number) =>
  post(app, '/accounts', userId, initialBalance === undefined ? {} : { initial_balance: initialBalance })

export const topUp = (app: PaymentsApp, userId: string, amount: number) =>
  post(app, '/accounts/topup', userId, { amount })

export const charge = (app: PaymentsApp, userId: string, orderId: string, amount: number) =>
  post(app, '/accounts/charge', userId, { order_id: orderId, amount })

export const getBalance = (app: PaymentsApp, userId: string) =>
  app.inject({ method: 'GET', url: '/accounts/balance', headers: { 'x-user-id': userId } })

/** Opens an account and fails the test right there if that did not work. */
export async function givenAccount(app: PaymentsApp, userId: string, initialBalance: number): Promise<void> {
  const response = await openAccount(app, userId, initialBalance)
  expect(response.statusCode, response.body).toBe(201)
}
