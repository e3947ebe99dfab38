import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { testLogger } from '../../../tests/support/logger.ts'
import { commitsAmong, statementsSent } from '../../../tests/support/statements-sent.ts'
import { buildApp } from '../src/app.ts'
import { type OrdersHarness, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness

beforeAll(async () => {
  harness = await startOrdersHarness()
})
afterAll(async () => {
  await harness?.close()
})
afterEach(async () => {
  await harness.pool.query('DROP TRIGGER IF EXISTS refuse_marked_orders ON orders')
})

type App = OrdersHarness['app']

const post = (app: App, userId: string, payload: object, key?: string) =>
  app.inject({
    method: 'POST',
    url: '/orders',
    headers: { 'x-user-id': userId, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload,
  })

/** `count` orders of one new user, all sent at once; the answers in the order sent. */
const placeAtOnce = (
  app: App,
  userId: string,
  count: number,
  payloadOf = (index: number) => ({ amount: index + 1 }),
  keyOf?: (index: number) => string | undefined,
) =>
  Promise.all(
    Array.from({ length: count }, (_, index) => post(app, userId, payloadOf(index), keyOf?.(index))),
  )

async function storedFor(userId: string) {
  const { rows } = await harness.pool.query<{ id: string; description: string | null; events: number }>(
    `SELECT id, description, (SELECT count(*)::int FROM outbox WHERE message_key = orders.id::text) AS events
       FROM orders WHERE user_id = $1`,
    [userId],
  )
  return rows
}

const keysOf = async (userId: string) =>
  (await harness.pool.query('SELECT key, response_body FROM idempotency_keys WHERE user_id = $1', [userId]))
    .rows

/** Makes writing an order whose description starts with `refused` fail: at once, or only at its commit. */
async function refuseMarkedOrders(when: 'at_insert' | 'at_commit') {
  await harness.pool.query(
    `CREATE OR REPLACE FUNCTION refuse_marked_order() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.description LIKE 'refused%' THEN RAISE EXCEPTION 'this order is refused'; END IF;
       RETURN NEW;
     END $$`,
  )
  await harness.pool.query(
    when === 'at_insert'
      ? 'CREATE TRIGGER refuse_marked_orders BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_marked_order()'
      : `CREATE CONSTRAINT TRIGGER refuse_marked_orders AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED
           FOR EACH ROW EXECUTE FUNCTION refuse_marked_order()`,
  )
}

describe('POST /orders group commit', () => {
  it('when many orders arrive at once, then each is created with its event, in fewer commits than orders', async () => {
    const user = randomUUID()
    let answers: Awaited<ReturnType<typeof placeAtOnce>> = []
    const statements = await statementsSent(harness.pool, async () => {
      answers = await placeAtOnce(harness.app, user, 20)
    })

    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(201))
    expect(answers.map((answer) => answer.json().amount)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    )
    const stored = await storedFor(user)
    expect(stored.map((row) => row.id).sort()).toEqual(answers.map((answer) => answer.json().id).sort())
    expect(stored.every((row) => row.events === 1)).toBe(true)
    expect(commitsAmong(statements)).toBeLessThan(20)
  })

  it('when requests with and without keys arrive at once, then they share commits and each key replays its own order', async () => {
    const user = randomUUID()
    const keys = Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? randomUUID() : undefined))
    let answers: Awaited<ReturnType<typeof placeAtOnce>> = []
    const statements = await statementsSent(harness.pool, async () => {
      answers = await placeAtOnce(harness.app, user, 20, undefined, (index) => keys[index])
    })

    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(201))
    expect(commitsAmong(statements)).toBeLessThan(20)
    expect(await keysOf(user)).toHaveLength(10)
    const replays = await placeAtOnce(harness.app, user, 20, undefined, (index) => keys[index])
    keys.forEach((key, index) => {
      if (key === undefined) return
      expect(replays[index]?.headers['idempotent-replayed']).toBe('true')
      expect(replays[index]?.json()).toEqual(answers[index]?.json())
    })
    expect(await storedFor(user)).toHaveLength(30)
  })

  it('when one order of a batch breaks its statement, then only that request fails and the others are created', async () => {
    const user = randomUUID()
    await refuseMarkedOrders('at_insert')
    const answers = await placeAtOnce(harness.app, user, 10, (index) => ({
      amount: 1,
      description: index === 4 ? 'refused' : `order ${index}`,
    }))

    expect(answers.map((answer) => answer.statusCode)).toEqual([
      201, 201, 201, 201, 500, 201, 201, 201, 201, 201,
    ])
    expect(answers[4]?.json().code).toBe('internal_error')
    const stored = await storedFor(user)
    expect(stored).toHaveLength(9)
    expect(stored.map((row) => row.description)).not.toContain('refused')
  })

  it('when a batch fails at its commit, then its requests are answered from their own commits: the refused one with an error, not 201', async () => {
    const user = randomUUID()
    await refuseMarkedOrders('at_commit')
    const keys = Array.from({ length: 6 }, () => randomUUID())
    const answers = await placeAtOnce(
      harness.app,
      user,
      6,
      (index) => ({ amount: 2, description: index === 2 ? 'refused at commit' : `order ${index}` }),
      (index) => keys[index],
    )

    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 500, 201, 201, 201])
    expect(await storedFor(user)).toHaveLength(5)
    const recorded = await keysOf(user)
    expect(recorded.map((row) => row.key).sort()).toEqual(keys.filter((_, index) => index !== 2).sort())
    const retried = await post(harness.app, user, { amount: 2, description: 'refused at commit' }, keys[2])
    expect(retried.statusCode).toBe(500)
    expect(retried.headers['idempotent-replayed']).toBeUndefined()
  })

  it('when ORDER_BATCH_WINDOW_MS is 0, then every order commits alone', async () => {
    const unbatched = await buildApp({
      pool: harness.pool,
      logger: testLogger,
      ordersTopic: harness.ordersTopic,
      orderBatchWindowMs: 0,
    })
    try {
      const user = randomUUID()
      let answers: Awaited<ReturnType<typeof placeAtOnce>> = []
      const statements = await statementsSent(harness.pool, async () => {
        answers = await placeAtOnce(unbatched, user, 12)
      })

      expect(answers.map((answer) => answer.statusCode)).toEqual(Array(12).fill(201))
      expect(commitsAmong(statements)).toBe(12)
      expect(await storedFor(user)).toHaveLength(12)
    } finally {
      await unbatched.close()
    }
  })
})
