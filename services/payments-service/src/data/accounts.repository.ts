import type { Executor } from '@shop/platform'
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

export async function insertLedgerEntry(
  db: Executor,
  entry: { userId: string; kind: LedgerEntryKind; amountMinor: number; orderId?: string; refundId?: string },
): Promise<void> {
  await db.query(
    'INSERT INTO ledger_entries (user_id, kind, amount_minor, order_id, refund_id) VALUES ($1, $2, $3, $4, $5)',
    [entry.userId, entry.kind, entry.amountMinor, entry.orderId ?? null, entry.refundId ?? null],
  )
}
