import { PROBLEM_CONTENT_TYPE } from '@shop/platform'
import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { buildApp } from '../../src/app.ts'

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

/** An RFC 9457 problem with the given status and stable code, served as application/problem+json. */
export function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: response.statusCode, body: response.json() }).toMatchObject({
    status,
    body: { status, code, type: expect.any(String), title: expect.any(String) },
  })
  expect(String(response.headers['content-type']).split(';')[0]).toBe(PROBLEM_CONTENT_TYPE)
}
