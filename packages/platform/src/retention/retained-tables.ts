/**
 * The tables retention trims, each with the statement that finds the partition of its oldest
 * expired row, the one that deletes a batch of expired rows there, and the one that says how old
 * its oldest expirable row is. Every trim statement takes the
 * retention in milliseconds ($1) and the batch size ($2), deletes oldest first through the table's
 * age index, and answers `trimmed` and `unread` (log messages deleted before a consumer group read
 * them: `[{group, topic, messages}]`, always empty outside the log).
 */
export interface RetainedTable {
  name: 'outbox' | 'inbox' | 'dead_letters' | 'idempotency_keys' | 'messages'
  /** Finds the partition (or the table itself, when not partitioned) that holds the oldest expired row. */
  oldestExpiredLeaf: string
  /** Deletes a batch of the oldest expired rows of that partition. */
  trimBatch(leaf: string): string
  oldestAgeSeconds: string
  /** Set for a table partitioned by day, whose expired days go whole (daily-partitions.ts). */
  daily?: {
    /** A condition true of a row that keeps its expired day from going whole; $1 is the retention in ms. */
    keepsDay?: string
    /**
     * The statement that answers `trimmed` and `unread`, as a trim does, for the rows of a partition
     * about to be dropped, without reading them (see `rowsOfDay`).
     */
    countDropped(partition: string): string
  }
}

/** What one trim statement, or the drop of one day, forgot. */
export interface TrimResult {
  trimmed: number
  unread: { group: string; topic: string; messages: number }[]
}

const EXPIRED = (column: string) => `${column} < now() - $1::float8 * interval '1 millisecond'`

/**
 * ctid = ANY(ARRAY(...)) makes the delete a TID scan of exactly the rows the index found. A ctid
 * names a row within one partition only, so the statement runs on one partition, never the parent.
 */
const deleteOldest = (table: string, column: string) =>
  `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
     SELECT ctid FROM ${table} WHERE ${EXPIRED(column)} ORDER BY ${column} LIMIT $2))`

const leafOfOldest = (table: string, column: string) =>
  `SELECT tableoid::regclass::text AS leaf FROM ${table} WHERE ${EXPIRED(column)} ORDER BY ${column} LIMIT 1`

const oldest = (table: string, column: string) =>
  `SELECT extract(epoch FROM now() - min(${column}))::float8 AS age FROM ${table}`

const countRows = (table: string) => `SELECT count(*)::int AS trimmed, '[]'::json AS unread FROM ${table}`

/**
 * The rows of a day about to be dropped, from the statistics autovacuum keeps (a busy shop's day is
 * millions of rows, and reading them all to count them is the work dropping the day saves); read
 * exactly only while the day was never analysed, when it is small.
 */
const rowsOfDay = (partition: string) =>
  `(SELECT CASE WHEN reltuples >= 0 THEN reltuples::bigint ELSE (SELECT count(*) FROM ${partition}) END
      FROM pg_class WHERE oid = '${partition}'::regclass)::int`

const countDay = (partition: string) => `SELECT ${rowsOfDay(partition)} AS trimmed, '[]'::json AS unread`

/** A table whose rows expire by one time column and need nothing reported when they go. */
const byAge = (name: Exclude<RetainedTable['name'], 'messages'>, column: string): RetainedTable => ({
  name,
  oldestExpiredLeaf: leafOfOldest(name, column),
  trimBatch: (leaf) => `WITH deleted AS (${deleteOldest(leaf, column)} RETURNING 1) ${countRows('deleted')}`,
  oldestAgeSeconds: oldest(name, column),
})

/**
 * Published rows only: `published_at < …` is never true of an unpublished row. A day goes whole
 * (it is partitioned by created_at) only once every row of it is published and expired.
 */
export const OUTBOX: RetainedTable = {
  ...byAge('outbox', 'published_at'),
  daily: { keepsDay: `published_at IS NULL OR NOT (${EXPIRED('published_at')})`, countDropped: countDay },
}

/**
 * Rows expire by received_at. Days are of occurred_at, which the partitions are keyed by (see
 * inbox.ts); a day goes whole only once every row of it was also received a retention ago, so an
 * event delivered late keeps its row as long as the batched delete would.
 */
export const INBOX: RetainedTable = {
  ...byAge('inbox', 'received_at'),
  daily: { keepsDay: `NOT (${EXPIRED('received_at')})`, countDropped: countDay },
}

/** Only dead letters already replayed; one never replayed still waits for someone to fix its consumer. */
export const DEAD_LETTERS = byAge('dead_letters', 'replayed_at')

/** The responses recorded under an Idempotency-Key, which replay for IDEMPOTENCY_KEY_LIFETIME_MS. */
export const IDEMPOTENCY_KEYS = byAge('idempotency_keys', 'created_at')

/** The messages of `gone`, and those of them each group had not read yet. */
function countUnread(gone: string): string {
  return `SELECT (SELECT count(*) FROM ${gone})::int AS trimmed, ${unreadOf(gone)} AS unread`
}

/**
 * Per group and topic, the messages of `source` above the group's committed offset of their
 * partition: read through the log's key from that offset on, so only unread messages are read.
 */
const unreadOf = (source: string) => `(SELECT COALESCE(json_agg(behind), '[]') FROM (
      SELECT c.group_id AS "group", c.topic, sum(n.messages)::int AS messages
        FROM committed_offsets c
       CROSS JOIN LATERAL (SELECT count(*) AS messages FROM ${source} d
                            WHERE d.topic = c.topic AND d.partition = c.partition AND d."offset" > c."offset") n
       WHERE n.messages > 0
       GROUP BY c.group_id, c.topic) behind)`

/**
 * The embedded log. A group whose committed offset is below a deleted message never sees it: its
 * next fetch reads "after offset N" and so resumes at the oldest message left, as Kafka's
 * auto.offset.reset=earliest does. The statement counts those messages per group, to be reported.
 */
export const LOG_MESSAGES: RetainedTable = {
  name: 'messages',
  oldestExpiredLeaf: leafOfOldest('messages', 'appended_at'),
  trimBatch: (
    leaf,
  ) => `WITH deleted AS (${deleteOldest(leaf, 'appended_at')} RETURNING topic, partition, "offset")
    ${countUnread('deleted')}`,
  oldestAgeSeconds: oldest('messages', 'appended_at'),
  // A day of the log goes whole once its day ended a retention ago, as its rows would one by one.
  daily: { countDropped: (day) => `SELECT ${rowsOfDay(day)} AS trimmed, ${unreadOf(day)} AS unread` },
}
