import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { charge, givenAccount, openAccount, topUp } from './support/http.ts'
import { usePaymentsApp } from './support/payments-app.ts'
import {
  countPaymentsOf,
  ledgerSumMinor,
  storedBalanceMinor,
  storedLedger,
  storedPayments,
} from './support/stored.ts'

const payments = usePaymentsApp({ max: 25 })

const statusCounts = (responses: { statusCode: number }[]) =>
  responses.reduce<Record<number, number>>((counts, { statusCode }) => {
    counts[statusCode] = (counts[statusCode] ?? 0) + 1
    return counts
  }, {})

describe('concurrent requests', () => {
  it('when 20 different orders of 100 hit a balance of 500 at once, then exactly 5 succeed and the balance ends at 0', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 500)

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => charge(payments.app, userId, randomUUID(), 100)),
    )

    // An overdraft would surface as a 500 from the CHECK constraint, or as more than 5 successes.
    expect(statusCounts(responses)).toEqual({ 200: 5, 402: 15 })
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(0)
    expect(await countPaymentsOf(payments.db.pool, userId)).toBe(5)
    expect(await ledgerSumMinor(payments.db.pool, userId)).toBe(0)
  })

  it('when one order id is charged 10 times at once, then all answer 200 and the account is debited once', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, userId, 100)

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => charge(payments.app, userId, orderId, 30)),
    )

    // Without serialising per order, the losers would hit the payments primary key: a 500.
    expect(statusCounts(responses)).toEqual({ 200: 10 })
    for (const response of responses)
      expect(response.json()).toEqual({ order_id: orderId, status: 'SUCCESS' })
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(7000)
    expect(await storedPayments(payments.db.pool, orderId)).toHaveLength(1)
    expect((await storedLedger(payments.db.pool, userId)).filter((entry) => entry.kind === 'charge')).toEqual(
      [{ kind: 'charge', amount_minor: -3000, order_id: orderId }],
    )
  })

  it('when one order id is charged at once with 5 different amounts, then one wins and the rest are 409', async () => {
    const userId = randomUUID()
    const orderId = randomUUID()
    await givenAccount(payments.app, userId, 1000)
    const amounts = [10, 20, 30, 40, 50]

    const responses = await Promise.all(
      amounts.map((amount) => charge(payments.app, userId, orderId, amount)),
    )

    expect(statusCounts(responses)).toEqual({ 200: 1, 409: 4 })
    const winner = amounts[responses.findIndex((response) => response.statusCode === 200)] as number
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe((1000 - winner) * 100)
    expect(await storedPayments(payments.db.pool, orderId)).toMatchObject([{ amount_minor: winner * 100 }])
  })

  it('when one user opens an account 10 times at once, then one 201 wins, nine are 409, and its balance is stored', async () => {
    const userId = randomUUID()

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => openAccount(payments.app, userId, i + 1)),
    )

    expect(statusCounts(responses)).toEqual({ 201: 1, 409: 9 })
    const created = responses.find((response) => response.statusCode === 201)?.json()
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(created.balance * 100)
    expect(await storedLedger(payments.db.pool, userId)).toEqual([
      { kind: 'opening', amount_minor: created.balance * 100, order_id: null },
    ])
    for (const response of responses.filter((r) => r.statusCode === 409)) {
      expect(response.json()).toMatchObject({ code: 'account_exists' })
    }
  })

  it('when top-ups and charges interleave, then balance = opening + top-ups - successful charges = sum of the ledger', async () => {
    const userId = randomUUID()
    await givenAccount(payments.app, userId, 100)
    const topUps = Array.from({ length: 20 }, () => topUp(payments.app, userId, 10.01))
    const charges = Array.from({ length: 30 }, () => charge(payments.app, userId, randomUUID(), 15.5))

    const [topUpResponses, chargeResponses] = await Promise.all([Promise.all(topUps), Promise.all(charges)])

    expect(statusCounts(topUpResponses)).toEqual({ 200: 20 })
    const charged = chargeResponses.filter((response) => response.statusCode === 200).length
    // Every charge either succeeded or was refused for lack of funds; nothing else.
    expect(charged + (statusCounts(chargeResponses)[402] ?? 0)).toBe(30)
    // Whatever the interleaving, the opening 100 alone covers 6 charges; all 30 would need 465.
    expect(charged).toBeGreaterThanOrEqual(6)
    expect(charged).toBeLessThan(30)
    const expectedMinor = 10000 + 20 * 1001 - charged * 1550
    expect(await storedBalanceMinor(payments.db.pool, userId)).toBe(expectedMinor)
    expect(await ledgerSumMinor(payments.db.pool, userId)).toBe(expectedMinor)
    expect(await countPaymentsOf(payments.db.pool, userId)).toBe(charged)
  })
})
