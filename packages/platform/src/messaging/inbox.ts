import { prepared } from '../db/prepared.ts'
import type { Transaction } from '../db/transaction.ts'

const RECORD_MANY = prepared(
  `INSERT INTO inbox (consumer, message_id) SELECT $1, id FROM unnest($2::text[]) AS id
   ON CONFLICT DO NOTHING RETURNING message_id`,
)

/**
 * Records a message id for a consumer inside the caller's transaction. Returns false when the id
 * was recorded before: the message is a duplicate and must have no effect.
 */
export async function recordInInbox(tx: Transaction, consumer: string, messageId: string): Promise<boolean> {
  const [fresh] = await recordAllInInbox(tx, consumer, [messageId])
  return fresh === true
}

/**
 * Records a batch's message ids in one statement. Returns, for each id in order, whether it is
 * new: false for an id recorded before and for the repeats of an id within the batch.
 */
export async function recordAllInInbox(
  tx: Transaction,
  consumer: string,
  messageIds: readonly string[],
): Promise<boolean[]> {
  const { rows } = await tx.query<{ message_id: string }>({ ...RECORD_MANY, values: [consumer, messageIds] })
  const fresh = new Set(rows.map((row) => row.message_id))
  return messageIds.map((id) => fresh.delete(id))
}
