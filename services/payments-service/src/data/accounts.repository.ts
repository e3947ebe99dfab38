import type { Queryable } from '@shop/platform'

export interface AccountRow {
  user_id: string
  balance_minor: string
}

export type LedgerEntryKind = 'opening' | 'top_up' | 'charge' | 'refund'

/** Returns the new account, or undefined when the user already has one. */
export async function insertAccount(
  db: Queryable,
  userId: string,
  balanceMinor: number,
): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    `INSERT INTO accounts (user_id, balance_minor) VALUES ($1, $2)
     ON CONFLICT (user_id) DO NOTHING
     RETURNING user_id, balance_minor::text`,
    [userId, balanceMinor],
  )
  return rows[0]
}

export async function findAccount(db: Queryable, userId: string): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    'SELECT user_id, balance_minor::text FROM accounts WHERE user_id = $1',
    [userId],
  )
  return rows[0]
}

/** Adds to a balance unless it would pass `maxBalanceMinor`; undefined when nothing was credited. */
export async function creditAccount(
  db: Queryable,
  userId: string,
  amountMinor: number,
  maxBalanceMinor: number,
): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    `UPDATE accounts SET balance_minor = balance_minor + $2, updated_at = now()
      WHERE user_id = $1 AND balance_minor + $2 <= $3
     RETURNING user_id, balance_minor::text`,
    [userId, amountMinor, maxBalanceMinor],
  )
  return rows[0]
}

export async function insertLedgerEntry(
  db: Queryable,
  entry: { userId: string; kind: LedgerEntryKind; amountMinor: number; orderId?: string; refundId?: string },
): Promise<void> {
  await db.query(
    'INSERT INTO ledger_entries (user_id, kind, amount_minor, order_id, refund_id) VALUES ($1, $2, $3, $4, $5)',
    [entry.userId, entry.kind, entry.amountMinor, entry.orderId ?? null, entry.refundId ?? null],
  )
}
