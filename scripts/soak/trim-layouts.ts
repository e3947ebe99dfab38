/**
 * The two ways to forget old rows that trim-strategies.ts compares, for an outbox-like and an
 * inbox-like table: the production layout trimmed by the production trimmer (RetentionTrimmer,
 * batches of the oldest rows), and the same table range-partitioned by day, whose expired
 * partitions are detached (CONCURRENTLY: no lock that stops inserts) and dropped.
 *
 * What partitioning costs shows in the DDL: a partitioned table's primary key must contain the
 * partition key, so the inbox's (consumer, message_id) is no longer unique on its own: a message
 * redelivered a day later would land in another partition and not conflict. The partitioned
 * inbox here is keyed on (consumer, message_id, sent_at), with sent_at taken from the message, so
 * that a redelivery lands in the same partition (the shop's inbox now does this with the event's
 * occurred_at, migrations/006_outbox_inbox_by_day.sql; this layout stays as it was measured). The
 * outbox is partitioned by created_at, not published_at, since publishing would otherwise move
 * every row across partitions; a partition may then go only once all its rows are published.
 */
import type pg from 'pg'
import { pino } from 'pino'
import { createPool } from '../../packages/platform/src/db/pool.ts'
import { INBOX, OUTBOX, type RetainedTable } from '../../packages/platform/src/retention/retained-tables.ts'
import { RetentionTrimmer } from '../../packages/platform/src/retention/retention-trimmer.ts'

export type TableKind = 'outbox' | 'inbox'
export type Strategy = 'batched' | 'partitioned'

/** Days of history: rows are spread evenly over this many days before now. */
export const HISTORY_DAYS = 10
/** The retention the comparison trims to: everything older than a day goes. */
export const RETENTION_MS = 86_400_000

const COLUMNS: Record<TableKind, string> = {
  outbox: `id bigint GENERATED ALWAYS AS IDENTITY, topic text NOT NULL, message_key text NOT NULL,
           value text NOT NULL, headers jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(),
           published_at timestamptz`,
  inbox: `consumer text NOT NULL, message_id text NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),
          sent_at timestamptz NOT NULL DEFAULT now()`,
}

/** The same indexes as the migrations (001, 005), the primary key widened by the partition key where partitioned. */
function createTable(kind: TableKind, strategy: Strategy): string[] {
  const partitioned = strategy === 'partitioned'
  if (kind === 'outbox') {
    return [
      `CREATE TABLE outbox (${COLUMNS.outbox}, PRIMARY KEY (${partitioned ? 'id, created_at' : 'id'}))
       ${partitioned ? 'PARTITION BY RANGE (created_at)' : ''}`,
      'CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL',
      'CREATE INDEX outbox_published_by_age ON outbox (published_at) WHERE published_at IS NOT NULL',
    ]
  }
  return [
    `CREATE TABLE inbox (${COLUMNS.inbox}, PRIMARY KEY (consumer, message_id${partitioned ? ', sent_at' : ''}))
     ${partitioned ? 'PARTITION BY RANGE (sent_at)' : ''}`,
    'CREATE INDEX inbox_by_age ON inbox (received_at)',
  ]
}

/** One partition a day, from the oldest history to tomorrow. */
function createPartitions(kind: TableKind): string[] {
  return Array.from({ length: HISTORY_DAYS + 2 }, (_, index) => {
    const daysAgo = HISTORY_DAYS - index
    return `CREATE TABLE ${kind}_d${index} PARTITION OF ${kind}
            FOR VALUES FROM (date_trunc('day', now()) - interval '${daysAgo} days')
                         TO (date_trunc('day', now()) - interval '${daysAgo - 1} days')`
  })
}

/** `rows` rows spread over HISTORY_DAYS days before now, every outbox row published a second after it was written. */
function fill(kind: TableKind): string {
  const at = `now() - (n::float8 / $1) * interval '${HISTORY_DAYS} days'`
  return kind === 'outbox'
    ? `INSERT INTO outbox (topic, message_key, value, created_at, published_at)
       SELECT 'order_created', n::text, repeat('x', 300), ${at}, ${at} + interval '1 second' FROM generate_series(1, $1) AS n`
    : `INSERT INTO inbox (consumer, message_id, received_at, sent_at)
       SELECT 'payments.order_created', gen_random_uuid()::text, ${at}, ${at} FROM generate_series(1, $1) AS n`
}

/** The statement the concurrent writer runs: a row as the services write one now. */
export function insertOne(kind: TableKind): string {
  return kind === 'outbox'
    ? `INSERT INTO outbox (topic, message_key, value, published_at) VALUES ('order_created', 'k', repeat('x', 300), now())`
    : `INSERT INTO inbox (consumer, message_id) VALUES ('payments.order_created', gen_random_uuid()::text)`
}

export async function createAndFill(client: pg.Client, kind: TableKind, strategy: Strategy, rows: number) {
  for (const sql of createTable(kind, strategy)) await client.query(sql)
  if (strategy === 'partitioned') for (const sql of createPartitions(kind)) await client.query(sql)
  await client.query(fill(kind), [rows])
  await client.query(`VACUUM ANALYZE ${kind}`)
}

const PRODUCTION: Record<TableKind, RetainedTable> = { outbox: OUTBOX, inbox: INBOX }

/** Forgets every row older than RETENTION_MS the strategy's way; answers the rows that went. */
export async function trim(
  client: pg.Client,
  url: string,
  kind: TableKind,
  strategy: Strategy,
): Promise<number> {
  if (strategy !== 'partitioned') {
    const pool = createPool({ connectionString: url, schema: 'bench', applicationName: 'trim-bench', max: 1 })
    const trimmer = new RetentionTrimmer({
      targets: [{ pool, table: PRODUCTION[kind], retentionMs: RETENTION_MS }],
      logger: pino({ level: 'silent' }),
    })
    try {
      return (await trimmer.trimAll()).get(kind) ?? 0
    } finally {
      await pool.end()
    }
  }
  let trimmed = 0
  // Partitions wholly older than the window; for the outbox, only when every row in them is published.
  const { rows: expired } = await client.query<{ name: string }>(
    `SELECT c.relname AS name
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass
        AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz
            <= now() - $2::float8 * interval '1 millisecond'`,
    [kind, RETENTION_MS],
  )
  for (const { name } of expired) {
    if (kind === 'outbox') {
      const { rows } = await client.query(`SELECT 1 FROM ${name} WHERE published_at IS NULL LIMIT 1`)
      if (rows.length > 0) continue
    }
    trimmed += Number((await client.query(`SELECT count(*)::int AS n FROM ${name}`)).rows[0]?.n)
    await client.query(`ALTER TABLE ${kind} DETACH PARTITION ${name} CONCURRENTLY`)
    await client.query(`DROP TABLE ${name}`)
  }
  return trimmed
}
