import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import { migrate } from '../src/db/migrate.ts'
import { createPool } from '../src/db/pool.ts'
import { autocommit } from '../src/db/transaction.ts'
import { isTransientDatabaseError } from '../src/db/transient-errors.ts'
import { listDeadLetters, replayDeadLetters } from '../src/messaging/dead-letters.ts'
import { startEventConsumer } from '../src/messaging/event-consumer.ts'
import { messagingMigrations } from '../src/outbox/outbox.ts'
import { createEmbeddedTransport } from '../src/transport/embedded/embedded-transport.ts'
import type { Transport } from '../src/transport/port.ts'

describe('poison messages', () => {
  let database: TestDatabase
  let pool: pg.Pool
  let transport: Transport

  beforeAll(async () => {
    database = await createTestDatabase()
    pool = createPool({ connectionString: database.url, schema: 'poison_test', applicationName: 'test' })
    await migrate(pool, 'poison_test', [messagingMigrations])
    await pool.query('CREATE TABLE poison_test.effects (order_id uuid NOT NULL)')
    transport = await createEmbeddedTransport({
      connectionString: database.url,
      partitions: 1,
      logger: testLogger,
      idlePollMs: 100,
    })
  })
  afterAll(async () => {
    await transport.close()
    await pool.end()
    await database.drop()
  })

  const effectsOf = async (orderId: string) =>
    Number((await pool.query('SELECT count(*) FROM effects WHERE order_id = $1', [orderId])).rows[0].count)
  const orderEvent = () =>
    OrderCreated.create({ order_id: randomUUID(), user_id: randomUUID(), amount_minor: 1 })
  const publish = (topic: string, event: ReturnType<typeof orderEvent>) =>
    transport.publish(topic, [{ key: event.payload.order_id, value: OrderCreated.encode(event) }])

  /** A consumer whose handler refuses `poisoned` orders while `fixed` says no, as a bug would. */
  const startConsumer = (topic: string, poisoned: Set<string>, fixed: { value: boolean }, error?: Error) =>
    startEventConsumer({
      name: `poison.${topic}`,
      pool,
      transport,
      topic,
      group: 'poison',
      event: OrderCreated,
      logger: testLogger,
      maxAttempts: 3,
      handle: async (trx, event) => {
        if (poisoned.has(event.payload.order_id) && !fixed.value)
          throw error ?? new Error('cannot handle this order')
        await trx.query('INSERT INTO effects (order_id) VALUES ($1)', [event.payload.order_id])
      },
    })

  it('when a handler keeps failing, then after bounded retries the message is a dead letter and the partition moves on', async () => {
    const topic = `stuck-${randomUUID()}`
    const bad = orderEvent()
    const good = orderEvent()
    const consumer = await startConsumer(topic, new Set([bad.payload.order_id]), { value: false })
    await publish(topic, bad)
    await publish(topic, good)

    await eventually(
      () => effectsOf(good.payload.order_id),
      (count) => count === 1,
    )
    const letters = (await listDeadLetters(autocommit(pool))).filter((letter) => letter.topic === topic)
    expect(letters).toHaveLength(1)
    expect(letters[0]?.message_key).toBe(bad.payload.order_id)
    expect(letters[0]?.error).toMatch(/handling failed 3 times: cannot handle this order/)
    expect(consumer.stats.deadLettered).toBe(1)
    await consumer.stop()
  })

  it('when the database is unreachable, then the message is retried for as long as that lasts, never dead-lettered', async () => {
    const topic = `outage-${randomUUID()}`
    const event = orderEvent()
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    const fixed = { value: false }
    const consumer = await startConsumer(topic, new Set([event.payload.order_id]), fixed, outage)
    await publish(topic, event)
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(consumer.stats.deadLettered).toBe(0)
    fixed.value = true

    await eventually(
      () => effectsOf(event.payload.order_id),
      (count) => count === 1,
      { timeoutMs: 15_000 },
    )
    expect((await listDeadLetters(autocommit(pool))).filter((letter) => letter.topic === topic)).toHaveLength(
      0,
    )
    await consumer.stop()
  })

  it('when the handler is fixed and the dead letters replayed, then they take effect once and are marked replayed', async () => {
    const topic = `replayed-${randomUUID()}`
    const bad = orderEvent()
    const fixed = { value: false }
    const consumer = await startConsumer(topic, new Set([bad.payload.order_id]), fixed)
    await publish(topic, bad)
    await eventually(
      async () => (await listDeadLetters(autocommit(pool))).filter((letter) => letter.topic === topic).length,
      (count) => count === 1,
    )

    fixed.value = true
    const replayed = await replayDeadLetters(pool, transport, 'all')
    expect(replayed.map((letter) => letter.message_key)).toContain(bad.payload.order_id)
    await eventually(
      () => effectsOf(bad.payload.order_id),
      (count) => count === 1,
    )
    expect((await listDeadLetters(autocommit(pool))).filter((letter) => letter.topic === topic)).toHaveLength(
      0,
    )
    const all = await listDeadLetters(autocommit(pool), { includeReplayed: true })
    expect(all.find((letter) => letter.message_key === bad.payload.order_id)?.replayed_at).toBeInstanceOf(
      Date,
    )

    expect(await replayDeadLetters(pool, transport, 'all')).toHaveLength(0)
    await consumer.stop()
  })
})

describe('isTransientDatabaseError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006' }],
    [{ code: '40001' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('timeout exceeded when trying to connect')],
  ])('when the error is %j, then it is transient', (error) => {
    expect(isTransientDatabaseError(error)).toBe(true)
  })

  it.each([
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }],
    [{ code: '22P02' }],
    [new Error('cannot handle this order')],
    [undefined],
  ])('when the error is %j, then it is not', (error) => {
    expect(isTransientDatabaseError(error)).toBe(false)
  })
})
