import { randomUUID } from 'node:crypto'
import { OrderCancelled, OrderCreated, RefundRequested, type StatementEntry } from '@shop/contracts'
import { parse } from 'csv-parse/sync'
import type { Static } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../../../tests/support/eventually.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import { buildApp } from '../src/app.ts'
import { type ConsumerHarness, startConsumerHarness } from './support/consumer-harness.ts'
import { charge, expectProblem, givenAccount, type PaymentsApp, topUp } from './support/http.ts'
import { storedBalanceMinor } from './support/stored.ts'

let harness: ConsumerHarness
let app: PaymentsApp

beforeAll(async () => {
  harness = await startConsumerHarness()
  app = await buildApp({ pool: harness.db.pool, logger: testLogger })
})

afterAll(async () => {
  await app?.close()
  await harness?.close()
})

const statement = (userId: string, query = '', headers: Record<string, string> = {}) =>
  app.inject({
    method: 'GET',
    url: `/accounts/statement${query}`,
    headers: { 'x-user-id': userId, ...headers },
  })

type Entry = Static<typeof StatementEntry>

/**
 * An account with one entry of every kind: opened with 100.00, topped up by 25.50, charged 30.00
 * for an order that was refunded 10.00 by request, and charged 5.00 for one its owner cancelled.
 */
async function givenHistory() {
  const userId = randomUUID()
  await givenAccount(app, userId, 100)
  await topUp(app, userId, 25.5)
  const kept = { order_id: randomUUID(), user_id: userId, amount_minor: 3_000 }
  await harness.publishEvent(OrderCreated.create(kept))
  await harness.awaitAnnounced(kept.order_id, 1)
  const refund = RefundRequested.create({ ...kept, refund_id: randomUUID(), amount_minor: 1_000 })
  await harness.publish(kept.order_id, RefundRequested.encode(refund))
  await harness.awaitRefundsAnnounced(kept.order_id, 1)
  const cancelled = { order_id: randomUUID(), user_id: userId, amount_minor: 500 }
  await harness.publishEvent(OrderCreated.create(cancelled))
  await harness.awaitAnnounced(cancelled.order_id, 1)
  const before = await storedBalanceMinor(harness.db.pool, userId)
  await harness.publish(
    cancelled.order_id,
    OrderCancelled.encode(OrderCancelled.create({ ...cancelled, reason: 'cancelled_by_customer' })),
  )
  await eventually(
    () => storedBalanceMinor(harness.db.pool, userId),
    (balance) => balance !== before,
  )
  return { userId, kept, refundId: refund.payload.refund_id, cancelled }
}

describe('GET /accounts/statement', () => {
  it('when the account has history, then its entries come newest first, add up to the balance, and the newest balance_after is the balance', async () => {
    const { userId, kept, refundId, cancelled } = await givenHistory()

    const response = await statement(userId)

    expect(response.statusCode).toBe(200)
    const { entries, next_cursor } = response.json() as { entries: Entry[]; next_cursor: string | null }
    expect(next_cursor).toBeNull()
    expect(
      entries.map(({ kind, amount, balance_after, order_id, refund_id }) => ({
        kind,
        amount,
        balance_after,
        order_id,
        refund_id,
      })),
    ).toEqual([
      {
        kind: 'refund',
        amount: 5,
        balance_after: 105.5,
        order_id: cancelled.order_id,
        refund_id: expect.any(String),
      },
      {
        kind: 'charge',
        amount: -5,
        balance_after: 100.5,
        order_id: cancelled.order_id,
        refund_id: undefined,
      },
      { kind: 'refund', amount: 10, balance_after: 105.5, order_id: kept.order_id, refund_id: refundId },
      { kind: 'charge', amount: -30, balance_after: 95.5, order_id: kept.order_id, refund_id: undefined },
      { kind: 'topup', amount: 25.5, balance_after: 125.5, order_id: undefined, refund_id: undefined },
      { kind: 'opening', amount: 100, balance_after: 100, order_id: undefined, refund_id: undefined },
    ])
    const balanceMinor = await storedBalanceMinor(harness.db.pool, userId)
    expect(entries.reduce((sum, entry) => sum + Math.round(entry.amount * 100), 0)).toBe(balanceMinor)
    expect(Math.round((entries[0]?.balance_after ?? 0) * 100)).toBe(balanceMinor)
  })

  it('when a limit is given, then the cursors walk every entry once, and the last page has no cursor', async () => {
    const { userId } = await givenHistory()
    const all = (await statement(userId)).json().entries as Entry[]

    const pages: Entry[][] = []
    let query = '?limit=4'
    for (;;) {
      const page = (await statement(userId, query)).json()
      pages.push(page.entries)
      if (page.next_cursor === null) break
      query = `?limit=4&cursor=${page.next_cursor}`
    }

    expect(pages.map((page) => page.length)).toEqual([4, 2])
    expect(pages.flat()).toEqual(all)
  })

  it.each([
    ['?format=csv', {}],
    ['', { accept: 'text/csv' }],
    ['', { accept: 'application/json;q=0.5, text/csv' }],
  ])(
    'when CSV is asked for (%s %j), then the same entries come as CSV with a header row',
    async (query, headers) => {
      const { userId } = await givenHistory()
      const json = (await statement(userId)).json().entries as Entry[]

      const response = await statement(userId, query, headers)

      expect(response.statusCode).toBe(200)
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
      expect(response.headers.vary).toMatch(/accept/i)
      const [header, ...rows] = parse(response.body) as string[][]
      expect(header).toEqual(['id', 'kind', 'amount', 'balance_after', 'order_id', 'refund_id', 'created_at'])
      expect(rows).toEqual(
        json.map((entry) => [
          entry.id,
          entry.kind,
          entry.amount.toFixed(2),
          entry.balance_after.toFixed(2),
          entry.order_id ?? '',
          entry.refund_id ?? '',
          expect.any(String),
        ]),
      )
    },
  )

  it('when a CSV page is not the last, then the next page’s cursor comes in Next-Cursor', async () => {
    const { userId } = await givenHistory()
    const json = (await statement(userId, '?limit=2')).json()

    const csv = await statement(userId, '?limit=2&format=csv')

    expect(csv.headers['next-cursor']).toBe(json.next_cursor)
    expect(parse(csv.body)).toHaveLength(3)
    expect((await statement(userId, '?format=csv')).headers['next-cursor']).toBeUndefined()
  })

  it.each([
    ['no Accept', {}, ''],
    ['any type', { accept: '*/*' }, ''],
    ['a type it does not give', { accept: 'text/html' }, ''],
    ['format=json over Accept: text/csv', { accept: 'text/csv' }, '?format=json'],
  ])('when %s is asked for, then the answer is JSON', async (_case, headers, query) => {
    const { userId } = await givenHistory()

    const response = await statement(userId, query, headers)

    expect(response.headers['content-type']).toMatch(/^application\/json/)
    expect(response.json().entries).toHaveLength(6)
  })

  it('when the user has no account, then 404 account_not_found', async () => {
    expectProblem(await statement(randomUUID()), 404, 'account_not_found')
  })

  it('when an account has only its opening, then the statement is that one entry', async () => {
    const userId = randomUUID()
    await givenAccount(app, userId, 0)

    expect((await statement(userId)).json()).toMatchObject({
      entries: [{ kind: 'opening', amount: 0, balance_after: 0 }],
      next_cursor: null,
    })
  })

  it.each([
    '?limit=0',
    '?limit=1001',
    '?limit=x',
    '?cursor=0',
    '?cursor=abc',
    '?cursor=1234567890123456789',
    '?format=xml',
    '?page=2',
  ])('when the query is %s, then 400 invalid_query', async (query) => {
    const userId = randomUUID()
    await givenAccount(app, userId, 1)

    expectProblem(await statement(userId, query), 400, 'invalid_query')
  })

  it('when a charge is refused on request, then nothing of it shows in the statement', async () => {
    const userId = randomUUID()
    await givenAccount(app, userId, 1)
    await charge(app, userId, randomUUID(), 2)

    expect((await statement(userId)).json().entries).toHaveLength(1)
  })
})
