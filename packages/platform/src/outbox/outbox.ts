import { fileURLToPath } from 'node:url'
import { notifySoon } from '../db/coalesced-notify.ts'
import type { MigrationSource } from '../db/migrate.ts'
import { afterCommit, type Queryable } from '../db/pool.ts'
import { prepared } from '../db/prepared.ts'
import type { OutgoingMessage } from '../transport/port.ts'

export interface OutboxMessage extends OutgoingMessage {
  topic: string
}

/** The outbox, inbox and dead-letter tables, migrated into each service's schema. */
export const messagingMigrations: MigrationSource = {
  name: 'platform',
  directory: fileURLToPath(new URL('../../migrations', import.meta.url)),
}

/** The relay of a schema listens here; it is notified once the outbox rows have committed. */
export const outboxChannel = (schema: string) => `${schema}_outbox`

const APPEND = prepared(
  `INSERT INTO outbox (topic, message_key, value, headers)
   SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`,
)

/**
 * Appends messages to the outbox inside the caller's transaction, so they are published if and
 * only if the state change they describe commits.
 */
export async function appendToOutbox(trx: Queryable, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return
  await trx.query({
    ...APPEND,
    values: [
      messages.map((message) => message.topic),
      messages.map((message) => message.key),
      messages.map((message) => message.value),
      messages.map((message) => JSON.stringify(message.headers ?? {})),
    ],
  })
  // The relay is woken once the rows are visible; its poll is the safety net if this is lost.
  afterCommit(trx, 'outbox', (pool) => notifySoon(pool, "current_schema() || '_outbox'"))
}
