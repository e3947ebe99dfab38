import { type Executor, fromMinorUnits } from '@shop/platform'
import { findAccount } from '../data/accounts.repository.ts'
import { readLedgerPage } from '../data/statement.repository.ts'

export type StatementEntryKind = 'opening' | 'topup' | 'charge' | 'refund'

export interface StatementEntry {
  id: string
  kind: StatementEntryKind
  /** Negative for a charge. */
  amountMinor: number
  balanceAfterMinor: number
  orderId: string | null
  refundId: string | null
  createdAt: Date
}

export interface Statement {
  entries: StatementEntry[]
  /** Where the next (older) page starts; undefined on the last page. */
  nextCursor: string | undefined
}

/**
 * A page of the user's ledger, newest first, each entry with the balance it left. The ledger has a
 * row for every change of a balance, so the entries add up to the balance, and the newest entry's
 * `balance_after` is the balance. A cursor is the id of the last entry of the page before.
 * Undefined when the user has no account.
 */
export async function readStatement(
  db: Executor,
  userId: string,
  page: { limit: number; cursor: string | undefined },
): Promise<Statement | undefined> {
  if (!(await findAccount(db, userId))) return undefined
  // One more than asked for tells whether an older page exists.
  const entries = await readLedgerPage(db, userId, page.cursor, page.limit + 1)
  const shown = entries.slice(0, page.limit)
  return { entries: shown, nextCursor: entries.length > page.limit ? shown.at(-1)?.id : undefined }
}

/** The statement as JSON clients see it: money as JSON numbers, ids only where the entry has them. */
export const toStatementView = (statement: Statement) => ({
  entries: statement.entries.map((entry) => ({
    id: entry.id,
    kind: entry.kind,
    amount: fromMinorUnits(entry.amountMinor),
    balance_after: fromMinorUnits(entry.balanceAfterMinor),
    ...(entry.orderId ? { order_id: entry.orderId } : {}),
    ...(entry.refundId ? { refund_id: entry.refundId } : {}),
    created_at: entry.createdAt.toISOString(),
  })),
  next_cursor: statement.nextCursor ?? null,
})
