import type { Transaction } from '@shop/platform'
import { chargeUnlessPaid, lockOrderPayment } from '../data/payments.repository.ts'
import type { ChargeRequest, Payment } from './payment.ts'

export interface ChargeOutcome {
  payment: Payment
  /** The order had a payment already; nothing was charged this time. */
  replayed: boolean
}

/**
 * Charges an order at most once, inside the caller's transaction: the first attempt applies the
 * charge rule and records the payment; every later attempt for the same order, concurrent or
 * not, finds that payment and charges nothing.
 *
 * The charge rule: the account is debited only if its balance covers the whole amount (with a
 * ledger entry), and the payment is SUCCESS when it was debited, else FAIL with
 * `insufficient_funds` when the account exists and `account_not_found` when it does not. For
 * speed the rule is decided in SQL, in one statement (chargeUnlessPaid), after lockOrderPayment
 * has made every other attempt on the order wait for this transaction.
 */
export async function chargeOnce(tx: Transaction, request: ChargeRequest): Promise<ChargeOutcome> {
  await lockOrderPayment(tx, request.orderId)
  return chargeUnlessPaid(tx, request)
}
