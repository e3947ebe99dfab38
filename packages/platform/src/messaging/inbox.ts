import type { Queryable } from '../db/pool.ts'

/**
 * Records a message id for a consumer inside the caller's transaction. Returns false when the id
 * was recorded before: the message is a duplicate and must have no effect.
 */
export async function recordInInbox(trx: Queryable, consumer: string, messageId: string): Promise<boolean> {
  const { rowCount } = await trx.query(
    'INSERT INTO inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [consumer, messageId],
  )
  return rowCount === 1
}
