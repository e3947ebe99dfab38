/**
 * What retention deletes during a chaos run, kept aside so the checks still see the whole history.
 * A statement-level AFTER DELETE trigger on each trimmed table (on each of its partitions, since
 * retention deletes from one partition at a time and a statement trigger fires only on the table
 * the statement names) copies the deleted rows into a
 * `trimmed` schema of the same database, in the trim's own transaction: a row is always either
 * in its table or in the archive, never both and never neither. The checks then read the two as
 * one (one statement, one snapshot), so they judge the same history with or without retention.
 * The trigger belongs to the test harness only; the services never see it.
 */
import type pg from 'pg'
import { withClient } from '../lib/pg-client.ts'

interface ArchivedTable {
  database: 'orders' | 'payments' | 'broker'
  /** The table retention trims, schema-qualified. */
  table: string
  /** The columns the checks need, kept for every deleted row. */
  columns: string
}

export const ARCHIVED_TABLES = {
  ordersOutbox: { database: 'orders', table: 'orders.outbox', columns: 'topic, value, published_at' },
  ordersInbox: { database: 'orders', table: 'orders.inbox', columns: 'consumer, message_id' },
  paymentsOutbox: { database: 'payments', table: 'payments.outbox', columns: 'topic, value, published_at' },
  paymentsInbox: { database: 'payments', table: 'payments.inbox', columns: 'consumer, message_id' },
  log: { database: 'broker', table: 'broker.messages', columns: 'topic, partition, "offset", value' },
} as const satisfies Record<string, ArchivedTable>

/** `orders.outbox` → `trimmed.orders_outbox`: where the rows deleted from it are kept. */
export const archiveOf = (table: string) => `trimmed.${table.replace('.', '_')}`

/**
 * A table's whole history as one relation: the rows still there and, where the archive was
 * installed, the ones retention deleted. Without an archive (a run that installed none) the table alone.
 */
export async function wholeHistory(
  client: pg.Client,
  { table, columns }: { table: string; columns: string },
): Promise<string> {
  const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [
    archiveOf(table),
  ])
  return rows[0]?.found
    ? `(SELECT ${columns} FROM ${table} UNION ALL SELECT ${columns} FROM ${archiveOf(table)})`
    : table
}

/**
 * Installs the archive on every trimmed table that exists (the log only on the embedded
 * transport). Call once the services have migrated their schemas and before any row can expire.
 */
export async function installTrimArchive(urls: Record<ArchivedTable['database'], string>): Promise<void> {
  for (const { database, table, columns } of Object.values(ARCHIVED_TABLES)) {
    await withClient(urls[database], async (client) => {
      const exists = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [
        table,
      ])
      const archive = archiveOf(table)
      const trigger = `${table.replace('.', '_')}_archive`
      await client.query('CREATE SCHEMA IF NOT EXISTS trimmed')
      // Created empty with the columns the checks read, also where the table itself does not exist
      // (no log on Kafka), so every history query has both halves.
      await client.query(
        exists.rows[0]?.found
          ? `CREATE TABLE IF NOT EXISTS ${archive} AS SELECT ${columns} FROM ${table} WITH NO DATA`
          : `CREATE TABLE IF NOT EXISTS ${archive} (topic text, partition int, "offset" bigint, value text)`,
      )
      if (!exists.rows[0]?.found) return
      await client.query(`
        CREATE OR REPLACE FUNCTION trimmed.${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO ${archive} SELECT ${columns} FROM gone;
          RETURN NULL;
        END $$`)
      // The partitions there are now: today's, tomorrow's and the default one, which is all a chaos
      // run writes to. Nothing in it is old enough for its day to be dropped whole, which no
      // trigger would see.
      const { rows: partitions } = await client.query<{ name: string }>(
        'SELECT relid::regclass::text AS name FROM pg_partition_tree($1::regclass) WHERE isleaf',
        [table],
      )
      for (const { name } of partitions) {
        await client.query(`
          CREATE OR REPLACE TRIGGER ${trigger} AFTER DELETE ON ${name}
          REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION trimmed.${trigger}()`)
      }
    })
  }
}

export type TrimmedCounts = Record<keyof typeof ARCHIVED_TABLES, number>

/** Rows retention deleted from each table during the run. */
export async function countTrimmed(urls: Record<ArchivedTable['database'], string>): Promise<TrimmedCounts> {
  const counts = {} as TrimmedCounts
  for (const [name, { database, table }] of Object.entries(ARCHIVED_TABLES)) {
    counts[name as keyof typeof ARCHIVED_TABLES] = await withClient(urls[database], async (client) =>
      Number((await client.query(`SELECT count(*)::int AS n FROM ${archiveOf(table)}`)).rows[0]?.n),
    )
  }
  return counts
}

/** The values of the log messages retention deleted from a topic (embedded transport only). */
export async function trimmedLogValues(brokerUrl: string, topic: string): Promise<string[]> {
  return withClient(brokerUrl, async (client) => {
    const { rows } = await client.query<{ value: string }>(
      `SELECT value FROM ${archiveOf(ARCHIVED_TABLES.log.table)} WHERE topic = $1`,
      [topic],
    )
    return rows.map((row) => row.value)
  })
}
