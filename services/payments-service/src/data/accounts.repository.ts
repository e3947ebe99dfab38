import type { Executor, Transaction } from '@shop/platform'
import type { Account, LedgerEntryKind } from '../domain/account.ts'

interface AccountRow {
  user_id: string
  balance_minor: string
}

/** PostgreSQL answers a bigint as a string; a balance stays well under 2^53 (MAX_BALANCE_MINOR). */
const toAccount = (row: AccountRow): Account => ({
  userId: row.user_id,
  balanceMinor: Number(row.balance_minor),
})

export interface LedgerEntry {
  userId: string
  kind: LedgerEntryKind
  amountMinor: number
  orderId?: string
  refundId?: string
}

/** Returns the new account, or undefined when the user already has one. */
export async function insertAccount(
  db: Executor,
  userId: string,
  balanceMinor: number,
): Promise<Account | undefined> {
  const { rows } = await db.query<AccountRow>(
    `INSERT INTO accounts (user_id, balance_minor) VALUES ($1, $2)
     ON CONFLICT (user_id) DO NOTHING
     RETURNING user_id, balance_minor::text`,
    [userId, balanceMinor],
  )
  return rows[0] && toAccount(rows[0])
}

export async function findAccount(db: Executor, userId: string): Promise<Account | undefined> {
  const { rows } = await db.query<AccountRow>(
    'SELECT user_id, balance_minor::text FROM accounts WHERE user_id = $1',
    [userId],
  )
  return rows[0] && toAccount(rows[0])
}

/** Adds to a balance unless it would pass `maxBalanceMinor`; undefined when nothing was credited. */
export async function creditAccount(
  db: Executor,
  userId: string,
  amountMinor: number,
  maxBalanceMinor: number,
): Promise<Account | undefined> {
  const { rows } = await db.query<AccountRow>(
    `UPDATE accounts SET balance_minor = balance_minor + $2, updated_at = now()
      WHERE user_id = $1 AND balance_minor + $2 <= $3
     RETURNING user_id, balance_minor::text`,
    [userId, amountMinor, maxBalanceMinor],
  )
  return rows[0] && toAccount(rows[0])
}

export async function insertLedgerEntry(db: Executor, entry: LedgerEntry): Promise<void> {
  await insertLedgerEntries(db, [entry])
}

/**
 * The balances of these users' accounts, each row locked until the caller's transaction ends. The
 * rows are locked in user id order, the same order for every batch, so two batches that share
 * users queue rather than deadlock. A user without an account is absent from the map.
 */
export async function lockBalances(
  tx: Transaction,
  userIds: readonly string[],
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map()
  const { rows } = await tx.query<AccountRow>(
    `SELECT user_id, balance_minor::text FROM accounts WHERE user_id = ANY($1::uuid[])
      ORDER BY user_id FOR UPDATE`,
    [userIds],
  )
  return new Map(rows.map((row) => [row.user_id, toAccount(row).balanceMinor]))
}

/**
 * Takes each amount from its user's balance, in one statement; one entry per user. The
 * `balance_minor >= 0` CHECK refuses the whole statement should a debit ever exceed a balance.
 */
export async function debitAccounts(
  tx: Transaction,
  debits: readonly { userId: string; amountMinor: number }[],
): Promise<void> {
  if (debits.length === 0) return
  await tx.query(
    `UPDATE accounts SET balance_minor = balance_minor - debit.amount_minor, updated_at = now()
       FROM unnest($1::uuid[], $2::bigint[]) AS debit (user_id, amount_minor)
      WHERE accounts.user_id = debit.user_id`,
    [debits.map((debit) => debit.userId), debits.map((debit) => debit.amountMinor)],
  )
}

/** Appends ledger entries in one statement. */
export async function insertLedgerEntries(db: Executor, entries: readonly LedgerEntry[]): Promise<void> {
  if (entries.length === 0) return
  await db.query(
    `INSERT INTO ledger_entries (user_id, kind, amount_minor, order_id, refund_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::uuid[], $5::uuid[])`,
    [
      entries.map((entry) => entry.userId),
      entries.map((entry) => entry.kind),
      entries.map((entry) => entry.amountMinor),
      entries.map((entry) => entry.orderId ?? null),
      entries.map((entry) => entry.refundId ?? null),
    ],
  )
}
