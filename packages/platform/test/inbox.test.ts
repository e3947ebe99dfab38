import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import { inTransaction } from '../src/db/transaction.ts'
import { recordAllInInbox, recordInInbox } from '../src/messaging/inbox.ts'
import { DailyPartitions } from '../src/retention/daily-partitions.ts'
import { INBOX } from '../src/retention/retained-tables.ts'
import { messagingSchema } from './fixtures/messaging-schema.ts'

let database: TestDatabase
let pool: pg.Pool

beforeAll(async () => {
  database = await createTestDatabase()
  pool = await messagingSchema(database.url, 'inbox')
  await new DailyPartitions(testLogger).ensure({ pool, table: INBOX })
})
afterAll(async () => {
  await pool?.end()
  await database?.drop()
})

const record = (event: { event_id: string; occurred_at: string }) =>
  inTransaction(pool, (tx) => recordInInbox(tx, 'consumer', event))

describe('inbox', () => {
  it('when the same event is delivered again on another day, then it is a duplicate', async () => {
    const event = { event_id: randomUUID(), occurred_at: new Date(Date.now() - 3_600_000).toISOString() }
    expect(await record(event)).toBe(true)
    // The first delivery was received days ago; the event still occurred when it did.
    await pool.query(`UPDATE inbox SET received_at = now() - interval '3 days' WHERE message_id = $1`, [
      event.event_id,
    ])

    expect(await record(event)).toBe(false)
    expect(await record({ ...event, occurred_at: new Date(event.occurred_at).toISOString() })).toBe(false)
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM inbox WHERE message_id = $1', [
      event.event_id,
    ])
    expect(rows).toEqual([{ n: 1 }])
  })

  it('when an event of a day without its own partition comes again, then it is a duplicate in the default partition', async () => {
    const event = { event_id: randomUUID(), occurred_at: '2001-02-03T04:05:06.789Z' }

    expect(await record(event)).toBe(true)
    expect(await record(event)).toBe(false)
  })

  it('when a row recorded before the inbox kept occurred_at holds the id, then a redelivery is a duplicate', async () => {
    const eventId = randomUUID()
    await pool.query(
      `INSERT INTO inbox (consumer, message_id, occurred_at) VALUES ('consumer', $1, '-infinity')`,
      [eventId],
    )
    const fresh = { event_id: randomUUID(), occurred_at: new Date().toISOString() }
    const redelivered = { event_id: eventId, occurred_at: new Date().toISOString() }

    expect(await record(redelivered)).toBe(false)
    expect(
      await inTransaction(pool, (tx) => recordAllInInbox(tx, 'consumer', [fresh, redelivered, fresh])),
    ).toEqual([true, false, false])
    const { rows } = await pool.query('SELECT occurred_at FROM inbox WHERE message_id = $1', [eventId])
    expect(rows).toEqual([{ occurred_at: Number.NEGATIVE_INFINITY }])
  })
})
