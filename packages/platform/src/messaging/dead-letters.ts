import type pg from 'pg'
import { autocommit, type Executor } from '../db/transaction.ts'
import type { DeliveredMessage, Transport } from '../transport/port.ts'

export interface DeadLetter {
  id: string
  consumer: string
  topic: string
  partition: number
  offset: string
  message_key: string
  value: string
  headers: Record<string, string>
  error: string
  failed_at: Date
  replayed_at: Date | null
}

/** Keeps a message that can never be handled as it is, with the reason, so it can be fixed and replayed. */
export async function storeDeadLetter(
  db: Executor,
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

export async function listDeadLetters(db: Executor, options: { includeReplayed?: boolean } = {}) {
  const { rows } = await db.query<DeadLetter>(
    `SELECT id::text AS id, consumer, topic, partition, "offset", message_key, value, headers, error, failed_at, replayed_at
       FROM dead_letters WHERE $1 OR replayed_at IS NULL ORDER BY dead_letters.id`,
    [options.includeReplayed ?? false],
  )
  return rows
}

/**
 * Sends dead letters back to their topics, as they were, once the consumer that refused them has
 * been fixed, and marks them replayed. The consumer's inbox makes a replay of a message that was
 * in fact handled harmless; one that fails again becomes a new dead letter. No transaction: each
 * letter is marked on its own once its topic took it, so a failure midway keeps what went out.
 */
export async function replayDeadLetters(
  pool: pg.Pool,
  transport: Transport,
  ids: string[] | 'all',
): Promise<DeadLetter[]> {
  const db = autocommit(pool)
  const pending = (await listDeadLetters(db)).filter((letter) => ids === 'all' || ids.includes(letter.id))
  for (const letter of pending) {
    await transport.publish(letter.topic, [
      { key: letter.message_key, value: letter.value, headers: letter.headers },
    ])
    await db.query('UPDATE dead_letters SET replayed_at = now() WHERE id = $1', [letter.id])
  }
  return pending
}
