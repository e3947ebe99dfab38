import type pg from 'pg'

/** What the service stored, read straight from the tables: bigint columns arrive as strings. */

export async function storedBalanceMinor(db: pg.Pool, userId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ balance_minor: string }>(
    'SELECT balance_minor::text FROM accounts WHERE user_id = $1',
    [userId],
  )
  return rows[0] && Number(rows[0].balance_minor)
}

export interface StoredPayment {
  order_id: string
  user_id: string
  amount_minor: number
  status: string
  reason: string | null
}

export async function storedPayments(db: pg.Pool, orderId: string): Promise<StoredPayment[]> {
  const { rows } = await db.query<StoredPayment & { amount_minor: string }>(
    'SELECT order_id::text, user_id::text, amount_minor::text, status, reason FROM payments WHERE order_id = $1',
    [orderId],
  )
  return rows.map((row) => ({ ...row, amount_minor: Number(row.amount_minor) }))
}

export async function countPaymentsOf(db: pg.Pool, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM payments WHERE user_id = $1',
    [userId],
  )
  return rows[0]?.n ?? 0
}

export interface StoredLedgerEntry {
  kind: string
  amount_minor: number
  order_id: string | null
}

export async function storedLedger(db: pg.Pool, userId: string): Promise<StoredLedgerEntry[]> {
  const { rows } = await db.query<StoredLedgerEntry & { amount_minor: string }>(
    'SELECT kind, amount_minor::text, order_id::text FROM ledger_entries WHERE user_id = $1 ORDER BY id',
    [userId],
  )
  return rows.map((row) => ({ ...row, amount_minor: Number(row.amount_minor) }))
}

export async function ledgerSumMinor(db: pg.Pool, userId: string): Promise<number> {
  const entries = await storedLedger(db, userId)
  return entries.reduce((sum, entry) => sum + entry.amount_minor, 0)
}

/**
 * Every row of every table the service writes, timestamps included, so comparing two snapshots
 * proves a rejected request changed nothing at all (not even an `updated_at`).
 */
const SNAPSHOT_TABLES = ['accounts', 'payments', 'ledger_entries', 'outbox', 'inbox', 'dead_letters']

// One statement, so the snapshot is consistent and costs a single round trip.
const SNAPSHOT_SQL = `SELECT ${SNAPSHOT_TABLES.map(
  (table) =>
    `(SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]') FROM ${table} t) AS ${table}`,
).join(', ')}`

export async function snapshotTables(db: pg.Pool): Promise<Record<string, unknown[]>> {
  const { rows } = await db.query<Record<string, unknown[]>>(SNAPSHOT_SQL)
  return rows[0] ?? {}
}
