import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { writtenCents } from '../../../tests/support/written-cents.ts'
import { givenAccount } from './support/http.ts'
import { usePaymentsApp } from './support/payments-app.ts'
import { storedBalanceMinor } from './support/stored.ts'

const payments = usePaymentsApp()

const postRaw = (url: string, userId: string, payload: string) =>
  payments.app.inject({
    method: 'POST',
    url,
    headers: { 'x-user-id': userId, 'content-type': 'application/json' },
    payload,
  })

describe('money as the client wrote it', () => {
  it('when an account is opened with any whole number of cents, in any exact writing, then exactly those cents are stored', async () => {
    await fc.assert(
      fc.asyncProperty(writtenCents({ min: 0 }), async ({ cents, text }) => {
        const userId = randomUUID()

        const response = await postRaw('/accounts', userId, `{"initial_balance":${text}}`)

        expect(response.statusCode, `${text}: ${response.body}`).toBe(201)
        expect(response.json().balance).toBe(cents / 100)
        expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(cents)
      }),
      { numRuns: 150 },
    )
  })

  it('when any whole number of cents is topped up, in any exact writing, then the balance grows by exactly those cents', async () => {
    await fc.assert(
      fc.asyncProperty(writtenCents({ min: 1 }), async ({ cents, text }) => {
        const userId = randomUUID()
        await givenAccount(payments.app, userId, 0)

        const response = await postRaw('/accounts/topup', userId, `{"amount":${text}}`)

        expect(response.statusCode, `${text}: ${response.body}`).toBe(200)
        expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(cents)
      }),
      { numRuns: 150 },
    )
  })
})
