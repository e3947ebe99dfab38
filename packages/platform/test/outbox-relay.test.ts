import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import { migrate } from '../src/db/migrate.ts'
import { createPool } from '../src/db/pool.ts'
import { inTransaction } from '../src/db/transaction.ts'
import { appendToOutbox, messagingMigrations } from '../src/outbox/outbox.ts'
import { OutboxRelay } from '../src/outbox/relay.ts'
import type { OutgoingMessage, Transport } from '../src/transport/port.ts'

/** A transport that records what it was given and can be told to refuse, as a broker that is down. */
function recordingTransport() {
  const published: { topic: string; message: OutgoingMessage }[] = []
  let down = false
  const transport: Transport = {
    name: 'recording',
    async publish(topic, messages) {
      if (down) throw new Error('broker unavailable')
      for (const message of messages) published.push({ topic, message })
    },
    subscribe: () => Promise.reject(new Error('not used')),
    consumerLag: async () => [],
    isConnected: async () => !down,
    close: async () => {},
  }
  return {
    transport,
    published,
    setDown: (value: boolean) => {
      down = value
    },
  }
}

describe('outbox relay', () => {
  let database: TestDatabase
  let pool: pg.Pool

  beforeAll(async () => {
    database = await createTestDatabase()
    pool = createPool({ connectionString: database.url, schema: 'relay_test', applicationName: 'test' })
    await migrate(pool, 'relay_test', [messagingMigrations])
  })
  afterAll(async () => {
    await pool.end()
    await database.drop()
  })

  const unpublishedCount = async () =>
    Number((await pool.query('SELECT count(*) FROM outbox WHERE published_at IS NULL')).rows[0].count)

  it('when a row is committed, then it is published promptly, marked, and published only once', async () => {
    const { transport, published } = recordingTransport()
    const relay = new OutboxRelay({
      pool,
      connectionString: database.url,
      schema: 'relay_test',
      transport,
      logger: testLogger,
      // A poll this slow proves the wake-up came from the notification.
      idlePollMs: 60_000,
    })
    relay.start()
    try {
      await new Promise((resolve) => setTimeout(resolve, 300))
      const key = randomUUID()
      await inTransaction(pool, (tx) =>
        appendToOutbox(tx, [
          { topic: 'orders', key, value: '{"n":1}', headers: { traceparent: 't' } },
          { topic: 'orders', key, value: '{"n":2}' },
          { topic: 'audit', key, value: '{"n":3}' },
        ]),
      )
      await eventually(unpublishedCount, (count) => count === 0, { timeoutMs: 5_000 })
      const mine = published.filter((entry) => entry.message.key === key)
      expect(mine.map((entry) => [entry.topic, entry.message.value])).toEqual([
        ['orders', '{"n":1}'],
        ['orders', '{"n":2}'],
        ['audit', '{"n":3}'],
      ])
      expect(mine[0]?.message.headers).toEqual({ traceparent: 't' })
    } finally {
      await relay.stop()
    }
  })

  it('when the transaction rolls back, then nothing is published', async () => {
    const { transport, published } = recordingTransport()
    const relay = new OutboxRelay({
      pool,
      connectionString: database.url,
      schema: 'relay_test',
      transport,
      logger: testLogger,
    })
    const key = randomUUID()
    await expect(
      inTransaction(pool, async (tx) => {
        await appendToOutbox(tx, [{ topic: 'orders', key, value: 'x' }])
        throw new Error('the state change failed')
      }),
    ).rejects.toThrow('the state change failed')
    expect(await relay.publishBatch()).toBe(0)
    expect(published).toHaveLength(0)
  })

  it('when the transport refuses, then rows stay unpublished and go out once it is back', async () => {
    const { transport, published, setDown } = recordingTransport()
    setDown(true)
    const relay = new OutboxRelay({
      pool,
      connectionString: database.url,
      schema: 'relay_test',
      transport,
      logger: testLogger,
      idlePollMs: 100,
    })
    const key = randomUUID()
    await inTransaction(pool, (tx) => appendToOutbox(tx, [{ topic: 'orders', key, value: 'kept' }]))
    relay.start()
    try {
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(await unpublishedCount()).toBe(1)
      setDown(false)
      await eventually(unpublishedCount, (count) => count === 0, { timeoutMs: 10_000 })
      expect(published.filter((entry) => entry.message.key === key)).toHaveLength(1)
    } finally {
      await relay.stop()
    }
  })

  it('when two relays run at once, then every row is published exactly once and in order', async () => {
    const { transport, published } = recordingTransport()
    const relays = [1, 2].map(
      () =>
        new OutboxRelay({
          pool,
          connectionString: database.url,
          schema: 'relay_test',
          transport,
          logger: testLogger,
          batchSize: 7,
        }),
    )
    const key = randomUUID()
    const values = Array.from({ length: 100 }, (_, index) => String(index))
    await inTransaction(pool, (tx) =>
      appendToOutbox(
        tx,
        values.map((value) => ({ topic: 'orders', key, value })),
      ),
    )
    for (const relay of relays) relay.start()
    try {
      await eventually(unpublishedCount, (count) => count === 0, { timeoutMs: 10_000 })
      expect(
        published.filter((entry) => entry.message.key === key).map((entry) => entry.message.value),
      ).toEqual(values)
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()))
    }
  })
})
