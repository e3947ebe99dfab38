import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest'
import { type OrdersHarness, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness

beforeAll(async () => {
  harness = await startOrdersHarness()
})
afterAll(async () => {
  await harness?.close()
})

const post = (userId: string, key: string | undefined, payload: unknown) =>
  harness.app.inject({
    method: 'POST',
    url: '/orders',
    headers: { 'x-user-id': userId, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: payload as object,
  })

/**
 * The statements a request sends to PostgreSQL, on whichever connection, in order: what it costs
 * in round trips. The NOTIFY that wakes the relay after the commit is left out (it is not awaited).
 */
async function statementsOf(send: () => Promise<unknown>): Promise<string[]> {
  const spies = new Set<MockInstance>()
  const watch = (client: pg.PoolClient) => spies.add(vi.spyOn(client, 'query'))
  harness.pool.on('acquire', watch)
  try {
    await send()
  } finally {
    harness.pool.off('acquire', watch)
  }
  const sent = [...spies].flatMap((spy) =>
    spy.mock.calls.map(([sql]) => (typeof sql === 'string' ? sql : (sql as pg.QueryConfig).text)),
  )
  for (const spy of spies) spy.mockRestore()
  return sent.filter((sql) => !sql.includes('pg_notify'))
}

const ordersOf = async (userId: string) =>
  (await harness.pool.query('SELECT id FROM orders WHERE user_id = $1', [userId])).rows.map((row) => row.id)
const outboxRowsOf = async (userId: string) =>
  Number(
    (
      await harness.pool.query(
        `SELECT count(*) FROM outbox WHERE message_key IN (SELECT id::text FROM orders WHERE user_id = $1)`,
        [userId],
      )
    ).rows[0].count,
  )

describe('POST /orders with an Idempotency-Key', () => {
  it('when the same key and body come again, then the first response is replayed and one order exists', async () => {
    const user = randomUUID()
    const key = randomUUID()
    const first = await post(user, key, { amount: 12.5, description: 'socks' })
    const again = await post(user, key, { amount: 12.5, description: 'socks' })

    expect(first.statusCode).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json()).toEqual(first.json())
    expect(await ordersOf(user)).toEqual([first.json().id])
    expect(await outboxRowsOf(user)).toBe(1)
  })

  it('when the same key comes with another body, then 422 idempotency_key_reused and nothing new is stored', async () => {
    const user = randomUUID()
    const key = randomUUID()
    await post(user, key, { amount: 1 })
    const reused = await post(user, key, { amount: 2 })

    expect(reused.statusCode).toBe(422)
    expect(reused.headers['content-type']).toContain('application/problem+json')
    expect(reused.json().code).toBe('idempotency_key_reused')
    expect(await ordersOf(user)).toHaveLength(1)
  })

  it('when many requests with one key race, then exactly one order is created and the rest replay it or wait', async () => {
    const user = randomUUID()
    const key = randomUUID()
    const responses = await Promise.all(Array.from({ length: 12 }, () => post(user, key, { amount: 3 })))
    const statuses = responses.map((response) => response.statusCode)

    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true)
    const created = responses.filter((response) => response.statusCode === 201)
    expect(created.filter((response) => response.headers['idempotent-replayed'] !== 'true')).toHaveLength(1)
    expect(new Set(created.map((response) => response.json().id)).size).toBe(1)
    for (const busy of responses.filter((response) => response.statusCode === 409)) {
      expect(busy.json().code).toBe('idempotency_key_in_use')
    }
    expect(await ordersOf(user)).toHaveLength(1)
  })

  it('when two users use the same key, then each gets an order of their own', async () => {
    const key = randomUUID()
    const [alice, bob] = [randomUUID(), randomUUID()]
    const forAlice = await post(alice, key, { amount: 4 })
    const forBob = await post(bob, key, { amount: 4 })

    expect(forBob.headers['idempotent-replayed']).toBeUndefined()
    expect(forBob.json().id).not.toBe(forAlice.json().id)
    expect(forBob.json().user_id).toBe(bob)
  })

  it('when a request with a key is refused, then nothing is recorded and the key can carry a good request', async () => {
    const user = randomUUID()
    const key = randomUUID()
    const refused = await post(user, key, { amount: 1.234 })
    const accepted = await post(user, key, { amount: 1.23 })

    expect(refused.statusCode).toBe(422)
    expect(accepted.statusCode).toBe(201)
    expect(accepted.headers['idempotent-replayed']).toBeUndefined()
  })

  // Retention deletes such keys: see the retention trimmer's tests.
  it('when a key is older than 24 hours, then it no longer replays', async () => {
    const user = randomUUID()
    const key = randomUUID()
    const first = await post(user, key, { amount: 5 })
    await harness.pool.query(
      "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1 AND key = $2",
      [user, key],
    )
    const later = await post(user, key, { amount: 5 })

    expect(later.headers['idempotent-replayed']).toBeUndefined()
    expect(later.json().id).not.toBe(first.json().id)
  })

  it('when an order comes without a key, then it is one statement and no transaction; with one, a single transaction', async () => {
    const user = randomUUID()

    const withoutKey = await statementsOf(() => post(user, undefined, { amount: 5 }))
    const withKey = await statementsOf(() => post(user, randomUUID(), { amount: 5 }))

    expect(withoutKey).toHaveLength(1)
    expect(withoutKey[0]).toMatch(/^WITH written AS \(INSERT INTO orders/)
    expect(withKey[0]).toBe('BEGIN')
    expect(withKey.at(-1)).toBe('COMMIT')
    expect(withKey.filter((sql) => sql === 'BEGIN')).toHaveLength(1)
    expect(withKey.filter((sql) => /INSERT INTO orders/.test(sql))).toHaveLength(1)
    expect(await ordersOf(user)).toHaveLength(2)
  })

  it.each([['a key with spaces'], ['x'.repeat(256)], ['']])(
    'when the key is malformed (%j), then 400 and no order',
    async (key) => {
      const user = randomUUID()
      const response = await post(user, key, { amount: 1 })
      expect(response.statusCode).toBe(400)
      expect(await ordersOf(user)).toHaveLength(0)
    },
  )
})
