import { type Executor, prepared } from '@shop/platform'
import type { StatementEntry, StatementEntryKind } from '../domain/statement.ts'

interface LedgerRow {
  id: string
  kind: 'opening' | 'top_up' | 'charge' | 'refund'
  amount_minor: string
  balance_after_minor: string
  order_id: string | null
  refund_id: string | null
  created_at: Date
}

/** The statement spells the ledger's `top_up` as the API does everywhere else. */
const KIND: Record<LedgerRow['kind'], StatementEntryKind> = {
  opening: 'opening',
  top_up: 'topup',
  charge: 'charge',
  refund: 'refund',
}

/**
 * The balance after each entry is the running sum of the user's entries in id order: a user's
 * entries are written under the account's row lock, so their ids follow the order in which the
 * balance changed. Then the page: older than the cursor, newest first (by the bigint id, not by the
 * text it is selected as, which would sort 9 before 12).
 */
const LEDGER_PAGE = prepared(`
  SELECT id::text, kind, amount_minor::text, balance_after_minor::text, order_id, refund_id, created_at
    FROM (SELECT id, kind, amount_minor, order_id, refund_id, created_at,
                 sum(amount_minor) OVER (ORDER BY id) AS balance_after_minor
            FROM ledger_entries WHERE user_id = $1) AS entries
   WHERE $2::bigint IS NULL OR entries.id < $2::bigint
   ORDER BY entries.id DESC
   LIMIT $3`)

export async function readLedgerPage(
  db: Executor,
  userId: string,
  beforeId: string | undefined,
  limit: number,
): Promise<StatementEntry[]> {
  const { rows } = await db.query<LedgerRow>({ ...LEDGER_PAGE, values: [userId, beforeId ?? null, limit] })
  return rows.map((row) => ({
    id: row.id,
    kind: KIND[row.kind],
    amountMinor: Number(row.amount_minor),
    balanceAfterMinor: Number(row.balance_after_minor),
    orderId: row.order_id,
    refundId: row.refund_id,
    createdAt: row.created_at,
  }))
}
