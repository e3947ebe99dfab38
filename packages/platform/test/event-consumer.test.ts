import { randomUUID } from 'node:crypto'
import { OrderCancelled, OrderCreated, topicEvents } from '@shop/contracts'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import { migrate } from '../src/db/migrate.ts'
import { createPool } from '../src/db/pool.ts'
import { startEventConsumer } from '../src/messaging/event-consumer.ts'
import { messagingMigrations } from '../src/outbox/outbox.ts'
import { createEmbeddedTransport } from '../src/transport/embedded/embedded-transport.ts'
import type { Transport } from '../src/transport/port.ts'

describe('event consumer', () => {
  let database: TestDatabase
  let pool: pg.Pool
  let transport: Transport

  beforeAll(async () => {
    database = await createTestDatabase()
    pool = createPool({ connectionString: database.url, schema: 'consumer_test', applicationName: 'test' })
    await migrate(pool, 'consumer_test', [messagingMigrations])
    await pool.query('CREATE TABLE consumer_test.effects (order_id uuid NOT NULL)')
    transport = await createEmbeddedTransport({
      connectionString: database.url,
      partitions: 2,
      logger: testLogger,
    })
  })
  afterAll(async () => {
    await transport.close()
    await pool.end()
    await database.drop()
  })

  const effectsOf = async (orderId: string) =>
    Number((await pool.query('SELECT count(*) FROM effects WHERE order_id = $1', [orderId])).rows[0].count)

  const newOrderEvent = () =>
    OrderCreated.create({ order_id: randomUUID(), user_id: randomUUID(), amount_minor: 100 })

  /** What every consumer of these tests shares: its name follows its topic. */
  const consumerOn = (topic: string) => ({
    name: `test.${topic}`,
    pool,
    transport,
    topic,
    group: 'test',
    event: OrderCreated,
    logger: testLogger,
  })

  const start = (topic: string, failFirst = 0) => {
    let failures = failFirst
    return startEventConsumer({
      ...consumerOn(topic),
      handle: async (trx, event) => {
        await trx.query('INSERT INTO effects (order_id) VALUES ($1)', [event.payload.order_id])
        if (failures > 0) {
          failures -= 1
          throw new Error('handler crashed after its effect, before commit')
        }
      },
    })
  }

  it('when the same event is delivered twice, then its effect happens once and the duplicate is counted', async () => {
    const topic = `dup-${randomUUID()}`
    const consumer = await start(topic)
    const event = newOrderEvent()
    const message = { key: event.payload.order_id, value: OrderCreated.encode(event) }
    await transport.publish(topic, [message, message])
    await eventually(
      async () => consumer.stats.handled + consumer.stats.duplicates,
      (count) => count === 2,
    )
    expect(await effectsOf(event.payload.order_id)).toBe(1)
    expect(consumer.stats).toMatchObject({ handled: 1, duplicates: 1 })
    await consumer.stop()
  })

  it('when a batch holds an event handled before, a repeat and a new event, then only the new one takes effect', async () => {
    const topic = `dup-batch-${randomUUID()}`
    const consumer = await start(topic)
    const seen = newOrderEvent()
    const fresh = newOrderEvent()
    const message = (event: typeof seen) => ({
      key: event.payload.order_id,
      value: OrderCreated.encode(event),
    })
    await transport.publish(topic, [message(seen)])
    await eventually(
      async () => consumer.stats.handled,
      (count) => count === 1,
    )
    await transport.publish(topic, [message(seen), message(fresh), message(fresh), message(seen)])
    await eventually(
      async () => consumer.stats.handled + consumer.stats.duplicates,
      (count) => count === 5,
    )
    expect(await effectsOf(seen.payload.order_id)).toBe(1)
    expect(await effectsOf(fresh.payload.order_id)).toBe(1)
    expect(consumer.stats).toMatchObject({ handled: 2, duplicates: 3 })
    await consumer.stop()
  })

  it('when a batch holds only events of the type applied together, then its new events are applied by one call, in order', async () => {
    const topic = `all-${randomUUID()}`
    const calls: string[][] = []
    const consumer = await startEventConsumer({
      ...consumerOn(topic),
      handle: async () => {
        throw new Error('a batch must not be applied event by event')
      },
      together: {
        type: 'order_created',
        apply: async (trx, events) => {
          const orderIds = events.map(({ event }) => event.payload.order_id)
          calls.push(orderIds)
          await trx.query('INSERT INTO effects (order_id) SELECT * FROM unnest($1::uuid[])', [orderIds])
        },
      },
    })
    const events = [newOrderEvent(), newOrderEvent(), newOrderEvent()]
    // One key: one partition, so the three come as one batch, in this order.
    const messages = events.map((event) => ({ key: 'one-partition', value: OrderCreated.encode(event) }))
    await transport.publish(topic, [...messages, messages[0] as (typeof messages)[0]])
    await eventually(
      async () => consumer.stats.handled + consumer.stats.duplicates,
      (count) => count === 4,
    )
    expect(calls).toEqual([events.map((event) => event.payload.order_id)])
    for (const event of events) expect(await effectsOf(event.payload.order_id)).toBe(1)
    expect(consumer.stats).toMatchObject({ handled: 3, duplicates: 1 })
    await consumer.stop()
  })

  it('when CONSUMER_BATCH_SIZE is smaller than a delivery, then the delivery is applied in slices of that size, in order; 1 applies each event alone', async () => {
    for (const [batchSize, expected] of [
      [2, [[0, 1], [2, 3], 'one by one: 4']],
      [1, ['one by one: 0', 'one by one: 1', 'one by one: 2', 'one by one: 3', 'one by one: 4']],
    ] as const) {
      const topic = `sliced-${randomUUID()}`
      const events = Array.from({ length: 5 }, () => newOrderEvent())
      const indexOf = (orderId: string) => events.findIndex((event) => event.payload.order_id === orderId)
      const calls: (number[] | string)[] = []
      const consumer = await startEventConsumer({
        ...consumerOn(topic),
        batchSize,
        handle: async (trx, event) => {
          calls.push(`one by one: ${indexOf(event.payload.order_id)}`)
          await trx.query('INSERT INTO effects (order_id) VALUES ($1)', [event.payload.order_id])
        },
        together: {
          type: 'order_created',
          apply: async (trx, batch) => {
            calls.push(batch.map(({ event }) => indexOf(event.payload.order_id)))
            const orderIds = batch.map(({ event }) => event.payload.order_id)
            await trx.query('INSERT INTO effects (order_id) SELECT * FROM unnest($1::uuid[])', [orderIds])
          },
        },
      })
      // One publish to one partition: the five arrive as one delivery.
      await transport.publish(
        topic,
        events.map((event) => ({ key: 'one-partition', value: OrderCreated.encode(event) })),
      )
      await eventually(
        async () => consumer.stats.handled,
        (count) => count === 5,
      )
      await consumer.stop()
      expect(calls).toEqual(expected)
      for (const event of events) expect(await effectsOf(event.payload.order_id)).toBe(1)
    }
  })

  it('when a batch also holds an event of another type, then every event is applied one by one, in delivery order', async () => {
    const topic = `mixed-${randomUUID()}`
    const applied: string[] = []
    const consumer = await startEventConsumer({
      ...consumerOn(topic),
      event: topicEvents(OrderCreated, OrderCancelled),
      handle: async (trx, event) => {
        applied.push(event.type)
        await trx.query('INSERT INTO effects (order_id) VALUES ($1)', [event.payload.order_id])
      },
      together: {
        type: 'order_created',
        apply: async () => {
          throw new Error('a batch with a cancellation in it must not be applied together')
        },
      },
    })
    const created = newOrderEvent()
    const cancelled = OrderCancelled.create({
      order_id: randomUUID(),
      user_id: randomUUID(),
      amount_minor: 100,
      reason: 'cancelled_by_customer',
    })
    await transport.publish(topic, [
      { key: 'one-partition', value: OrderCreated.encode(created) },
      { key: 'one-partition', value: OrderCancelled.encode(cancelled) },
      { key: 'one-partition', value: OrderCreated.encode(newOrderEvent()) },
    ])
    await eventually(
      async () => consumer.stats.handled,
      (count) => count === 3,
    )
    expect(applied).toEqual(['order_created', 'order_cancelled', 'order_created'])
    await consumer.stop()
  })

  it('when the handler fails, then its effect is rolled back and the message is retried until it succeeds', async () => {
    const topic = `retry-${randomUUID()}`
    const consumer = await start(topic, 2)
    const event = newOrderEvent()
    await transport.publish(topic, [{ key: event.payload.order_id, value: OrderCreated.encode(event) }])
    await eventually(
      async () => consumer.stats.handled,
      (count) => count === 1,
    )
    expect(await effectsOf(event.payload.order_id)).toBe(1)
    await consumer.stop()
  })

  it.each([
    ['not JSON', '{"event_id":'],
    ['an unknown version', (() => JSON.stringify({ ...newOrderEvent(), version: 2 }))()],
    [
      'a missing payload field',
      (() => JSON.stringify({ ...newOrderEvent(), payload: { order_id: randomUUID() } }))(),
    ],
  ])(
    'when a message is %s, then it is kept as a dead letter and later messages still flow',
    async (_kind, bad) => {
      const topic = `poison-${randomUUID()}`
      const consumer = await start(topic)
      const good = newOrderEvent()
      await transport.publish(topic, [
        { key: good.payload.order_id, value: bad },
        { key: good.payload.order_id, value: OrderCreated.encode(good) },
      ])
      await eventually(
        async () => consumer.stats.handled,
        (count) => count === 1,
      )
      const { rows } = await pool.query('SELECT value, error FROM dead_letters WHERE topic = $1', [topic])
      expect(rows).toHaveLength(1)
      expect(rows[0].value).toBe(bad)
      expect(rows[0].error).toMatch(/not JSON|order_created/)
      expect(consumer.stats.deadLettered).toBe(1)
      await consumer.stop()
    },
  )

  it('when a batch with a dead letter is delivered again after a later failure, then the dead letter is kept once', async () => {
    const topic = `redelivered-poison-${randomUUID()}`
    const consumer = await start(topic, 1)
    const good = newOrderEvent()
    await transport.publish(topic, [
      { key: good.payload.order_id, value: 'not json' },
      { key: good.payload.order_id, value: OrderCreated.encode(good) },
    ])
    await eventually(
      async () => consumer.stats.handled,
      (count) => count === 1,
    )
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM dead_letters WHERE topic = $1', [topic])
    expect(rows[0].n).toBe(1)
    expect(consumer.stats.deadLettered).toBe(2)
    await consumer.stop()
  })
})
