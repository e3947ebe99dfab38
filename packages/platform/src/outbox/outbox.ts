import { fileURLToPath } from 'node:url'
import { TRACEPARENT_HEADER } from '@shop/contracts'
import type pg from 'pg'
import { notifySoon } from '../db/coalesced-notify.ts'
import type { MigrationSource } from '../db/migrate.ts'
import { type PreparedStatement, prepared } from '../db/prepared.ts'
import type { Executor, Transaction } from '../db/transaction.ts'
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

/** The outbox INSERT of `messages`, whose four array parameters start at `$first`. */
const appendSql = (first: number) =>
  `INSERT INTO outbox (topic, message_key, value, headers)
   SELECT * FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::jsonb[])`

const appendValues = (messages: readonly OutboxMessage[]) => [
  messages.map((message) => message.topic),
  messages.map((message) => message.key),
  messages.map((message) => message.value),
  messages.map((message) => JSON.stringify(message.headers ?? {})),
]

// The relay is woken once the rows are visible; its poll is the safety net if this is lost.
const wakeRelayAfterCommit = (db: Executor) =>
  db.afterCommit('outbox', (pool) => notifySoon(pool, "current_schema() || '_outbox'"))

const APPEND = prepared(appendSql(1))

/**
 * Appends messages to the outbox inside the caller's transaction, so they are published if and
 * only if the state change they describe commits.
 */
export async function appendToOutbox(tx: Transaction, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return
  await tx.query({ ...APPEND, values: appendValues(messages) })
  wakeRelayAfterCommit(tx)
}

/** An event for the outbox, keyed by `key` (an order id), with the trace that caused it when there is one. */
export const outboxMessage = (
  topic: string,
  key: string,
  value: string,
  traceparent?: string,
): OutboxMessage => ({
  topic,
  key,
  value,
  ...(traceparent ? { headers: { [TRACEPARENT_HEADER]: traceparent } } : {}),
})

const withOutbox = new Map<string, PreparedStatement>()

/**
 * Runs `statement` (an INSERT, UPDATE or DELETE ... RETURNING) and appends `messages` to the
 * outbox in the same statement, returning the statement's rows. A single statement is atomic by
 * itself: on its own (`autocommit`) it needs no BEGIN and COMMIT round trips, and in a caller's
 * transaction it is part of it.
 */
export async function writeWithOutbox<Row extends pg.QueryResultRow>(
  db: Executor,
  statement: PreparedStatement,
  values: readonly unknown[],
  messages: readonly OutboxMessage[],
): Promise<Row[]> {
  let combined = withOutbox.get(statement.name)
  if (!combined) {
    combined = prepared(
      `WITH written AS (${statement.text}), appended AS (${appendSql(values.length + 1)}) SELECT * FROM written`,
    )
    withOutbox.set(statement.name, combined)
  }
  const { rows } = await db.query<Row>({ ...combined, values: [...values, ...appendValues(messages)] })
  wakeRelayAfterCommit(db)
  return rows
}
