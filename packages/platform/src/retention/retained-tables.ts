/**
 * The tables retention trims, each with the one statement that deletes a batch of its expired
 * rows and the one that says how old its oldest expirable row is. Every trim statement takes the
 * retention in milliseconds ($1) and the batch size ($2), deletes oldest first through the table's
 * age index, and answers `trimmed` and `unread` (log messages deleted before a consumer group read
 * them: `[{group, topic, messages}]`, always empty outside the log).
 */
export interface RetainedTable {
  name: 'outbox' | 'inbox' | 'dead_letters' | 'idempotency_keys' | 'messages'
  trimBatch: string
  oldestAgeSeconds: string
}

const EXPIRED = (column: string) => `${column} < now() - $1::float8 * interval '1 millisecond'`

/** ctid = ANY(ARRAY(...)) makes the delete a TID scan of exactly the rows the index found. */
const deleteOldest = (table: string, column: string) =>
  `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
     SELECT ctid FROM ${table} WHERE ${EXPIRED(column)} ORDER BY ${column} LIMIT $2))`

const oldest = (table: string, column: string) =>
  `SELECT extract(epoch FROM now() - min(${column}))::float8 AS age FROM ${table}`

/** A table whose rows expire by one time column and need nothing reported when they go. */
const byAge = (name: Exclude<RetainedTable['name'], 'messages'>, column: string): RetainedTable => ({
  name,
  trimBatch: `WITH deleted AS (${deleteOldest(name, column)} RETURNING 1)
    SELECT count(*)::int AS trimmed, '[]'::json AS unread FROM deleted`,
  oldestAgeSeconds: oldest(name, column),
})

/** Published rows only: `published_at < …` is never true of an unpublished row. */
export const OUTBOX = byAge('outbox', 'published_at')

export const INBOX = byAge('inbox', 'received_at')

/** Only dead letters already replayed; one never replayed still waits for someone to fix its consumer. */
export const DEAD_LETTERS = byAge('dead_letters', 'replayed_at')

/** The responses recorded under an Idempotency-Key, which replay for IDEMPOTENCY_KEY_LIFETIME_MS. */
export const IDEMPOTENCY_KEYS = byAge('idempotency_keys', 'created_at')

/**
 * The embedded log. A group whose committed offset is below a deleted message never sees it: its
 * next fetch reads "after offset N" and so resumes at the oldest message left, as Kafka's
 * auto.offset.reset=earliest does. The statement counts those messages per group, to be reported.
 */
export const LOG_MESSAGES: RetainedTable = {
  name: 'messages',
  trimBatch: `WITH deleted AS (${deleteOldest('messages', 'appended_at')} RETURNING topic, partition, "offset")
    SELECT (SELECT count(*) FROM deleted)::int AS trimmed,
           (SELECT COALESCE(json_agg(behind), '[]') FROM (
              SELECT c.group_id AS "group", d.topic, count(*)::int AS messages
                FROM deleted d
                JOIN committed_offsets c ON c.topic = d.topic AND c.partition = d.partition AND d."offset" > c."offset"
               GROUP BY c.group_id, d.topic) behind) AS unread`,
  oldestAgeSeconds: oldest('messages', 'appended_at'),
}
