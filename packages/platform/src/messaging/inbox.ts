import { prepared } from '../db/prepared.ts'
import type { Transaction } from '../db/transaction.ts'

/** What the inbox keeps of an event: its id, and when it occurred, which is its partition key. */
export interface InboxEntry {
  event_id: string
  /** The envelope's occurred_at: set once when the event is made, the same in every redelivery. */
  occurred_at: string
}

/**
 * The inbox is partitioned by occurred_at, so a redelivery conflicts with its first delivery's
 * row. A row recorded before the inbox kept occurred_at holds '-infinity' instead; its id counts
 * as seen too, or a redelivery of such a message would be taken for new.
 */
const RECORD_MANY = prepared(
  `INSERT INTO inbox (consumer, message_id, occurred_at)
   SELECT $1, entry.id, entry.occurred_at FROM unnest($2::text[], $3::timestamptz[]) AS entry(id, occurred_at)
    WHERE NOT EXISTS (SELECT 1 FROM inbox legacy
                       WHERE legacy.consumer = $1 AND legacy.message_id = entry.id
                         AND legacy.occurred_at = '-infinity')
   ON CONFLICT DO NOTHING RETURNING message_id`,
)

/**
 * Records an event for a consumer inside the caller's transaction. Returns false when it was
 * recorded before: the message is a duplicate and must have no effect.
 */
export async function recordInInbox(tx: Transaction, consumer: string, entry: InboxEntry): Promise<boolean> {
  const [fresh] = await recordAllInInbox(tx, consumer, [entry])
  return fresh === true
}

/**
 * Records a batch's events in one statement. Returns, for each event in order, whether it is
 * new: false for an event recorded before and for the repeats of an event within the batch.
 */
export async function recordAllInInbox(
  tx: Transaction,
  consumer: string,
  entries: readonly InboxEntry[],
): Promise<boolean[]> {
  const { rows } = await tx.query<{ message_id: string }>({
    ...RECORD_MANY,
    values: [consumer, entries.map((entry) => entry.event_id), entries.map((entry) => entry.occurred_at)],
  })
  const fresh = new Set(rows.map((row) => row.message_id))
  return entries.map((entry) => fresh.delete(entry.event_id))
}
