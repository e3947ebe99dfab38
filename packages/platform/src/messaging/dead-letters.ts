import type { Queryable } from '../db/pool.ts'
import type { DeliveredMessage } from '../transport/port.ts'

/** Keeps a message that can never be handled as it is, with the reason, so it can be fixed and replayed. */
export async function storeDeadLetter(
  db: Queryable,
  consumer: string,
  message: DeliveredMessage,
  error: string,
): Promise<void> {
  await db.query(
    `INSERT INTO dead_letters (consumer, topic, partition, "offset", message_key, value, headers, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (consumer, topic, partition, "offset") DO NOTHING`,
    [
      consumer,
      message.topic,
      message.partition,
      message.offset,
      message.key,
      message.value,
      JSON.stringify(message.headers),
      error,
    ],
  )
}
