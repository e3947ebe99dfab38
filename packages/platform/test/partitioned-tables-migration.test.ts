import { copyFile, mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { type MigrationSource, migrate } from '../src/db/migrate.ts'
import { createPool } from '../src/db/pool.ts'
import { inTransaction } from '../src/db/transaction.ts'
import { recordInInbox } from '../src/messaging/inbox.ts'
import { messagingMigrations } from '../src/outbox/outbox.ts'

const LOG_MIGRATIONS: MigrationSource = {
  name: 'broker',
  directory: fileURLToPath(new URL('../src/transport/embedded/migrations', import.meta.url)),
}

/** The source as the previous version shipped it: its files before the one that partitions the tables. */
async function before(source: MigrationSource, firstNew: string): Promise<MigrationSource> {
  const directory = await mkdtemp(join(tmpdir(), 'previous-migrations-'))
  for (const file of await readdir(source.directory)) {
    if (file.endsWith('.sql') && file < firstNew)
      await copyFile(join(source.directory, file), join(directory, file))
  }
  return { name: source.name, directory }
}

let database: TestDatabase
const pools: pg.Pool[] = []
const poolOf = (schema: string) => {
  const pool = createPool({ connectionString: database.url, schema, applicationName: 'test' })
  pools.push(pool)
  return pool
}

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  await database?.drop()
})

const partitioned = async (pool: pg.Pool, table: string) =>
  (
    await pool.query<{ kind: string }>(`SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass($1)`, [
      table,
    ])
  ).rows[0]?.kind === 'p'

describe('upgrading a database of the previous version', () => {
  it('when the outbox and inbox held rows, then they are kept, new ids keep rising, and an old inbox row still makes a redelivery a duplicate', async () => {
    const pool = poolOf('upgraded')
    await migrate(pool, 'upgraded', [await before(messagingMigrations, '006')])
    await pool.query(
      `INSERT INTO outbox (topic, message_key, value, published_at)
       VALUES ('t', 'k', 'published', now() - interval '2 days'), ('t', 'k', 'waiting', NULL)`,
    )
    await pool.query(`INSERT INTO inbox (consumer, message_id) VALUES ('c', 'seen before the upgrade')`)

    expect(await migrate(pool, 'upgraded', [messagingMigrations])).toEqual([
      'platform/006_outbox_inbox_by_day.sql',
    ])

    expect(await partitioned(pool, 'outbox')).toBe(true)
    expect(await partitioned(pool, 'inbox')).toBe(true)
    const outbox = await pool.query(
      'SELECT id::int, value, published_at IS NULL AS waiting FROM outbox ORDER BY id',
    )
    expect(outbox.rows).toEqual([
      { id: 1, value: 'published', waiting: false },
      { id: 2, value: 'waiting', waiting: true },
    ])
    await pool.query(`INSERT INTO outbox (topic, message_key, value) VALUES ('t', 'k', 'after the upgrade')`)
    const newest = await pool.query(`SELECT id::int FROM outbox WHERE value = 'after the upgrade'`)
    expect(newest.rows).toEqual([{ id: 3 }])
    const redelivered = { event_id: 'seen before the upgrade', occurred_at: new Date().toISOString() }
    expect(await inTransaction(pool, (tx) => recordInInbox(tx, 'c', redelivered))).toBe(false)
    expect((await pool.query('SELECT count(*)::int AS n FROM inbox')).rows).toEqual([{ n: 1 }])
  })

  it('when the log held messages, then they are kept with their offsets, and new offsets keep rising', async () => {
    const pool = poolOf('broker')
    await migrate(pool, 'broker', [await before(LOG_MIGRATIONS, '003')])
    await pool.query(
      `INSERT INTO messages (topic, partition, key, value) VALUES ('t', 0, 'k', 'm1'), ('t', 0, 'k', 'm2')`,
    )

    expect(await migrate(pool, 'broker', [LOG_MIGRATIONS])).toEqual(['broker/003_messages_by_day.sql'])

    expect(await partitioned(pool, 'messages')).toBe(true)
    await pool.query(`INSERT INTO messages (topic, partition, key, value) VALUES ('t', 0, 'k', 'm3')`)
    const { rows } = await pool.query(`SELECT "offset"::int, value FROM messages ORDER BY "offset"`)
    expect(rows).toEqual([
      { offset: 1, value: 'm1' },
      { offset: 2, value: 'm2' },
      { offset: 3, value: 'm3' },
    ])
  })
})
