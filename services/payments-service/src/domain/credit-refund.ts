import type { Transaction } from '@shop/platform'
import { creditAccount, insertLedgerEntry } from '../data/accounts.repository.ts'
import { insertRefund } from '../data/refunds.repository.ts'
import type { Refund } from './refund.ts'

/**
 * A refund gives back money that was in the account before it was charged, so the top-up limit of a
 * balance does not stop it; this bound only keeps the statement an exact integer. Run under the
 * order's payment lock (lockOrderPayment).
 */
const NO_LIMIT_MINOR = Number.MAX_SAFE_INTEGER

/**
 * Records a refund and, if it SUCCEEDED, credits the account with its ledger entry, all inside the
 * caller's transaction. False when the refund was recorded before: nothing is credited twice.
 */
export async function recordRefund(tx: Transaction, refund: Refund): Promise<boolean> {
  if (!(await insertRefund(tx, refund))) return false
  if (refund.status === 'SUCCEEDED') {
    await creditAccount(tx, refund.userId, refund.amountMinor, NO_LIMIT_MINOR)
    await insertLedgerEntry(tx, {
      userId: refund.userId,
      kind: 'refund',
      amountMinor: refund.amountMinor,
      orderId: refund.orderId,
      refundId: refund.id,
    })
  }
  return true
}
