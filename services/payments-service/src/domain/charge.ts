import type { Transaction } from '@shop/platform'
import { debitAccount, findAccount, insertLedgerEntry } from '../data/accounts.repository.ts'
import { findPayment, insertPayment, lockOrderPayment } from '../data/payments.repository.ts'
import type { ChargeRequest, Payment } from './payment.ts'

export interface ChargeOutcome {
  payment: Payment
  /** The order had a payment already; nothing was charged this time. */
  replayed: boolean
}

/**
 * Charges an order at most once, inside the caller's transaction. The first attempt debits the
 * account if it covers the amount and records the payment (SUCCESS or FAIL); every later attempt
 * for the same order, concurrent or not, finds that payment and charges nothing.
 */
export async function chargeOnce(trx: Transaction, request: ChargeRequest): Promise<ChargeOutcome> {
  await lockOrderPayment(trx, request.orderId)
  const existing = await findPayment(trx, request.orderId)
  if (existing) return { payment: existing, replayed: true }

  const debited = await debitAccount(trx, request.userId, request.amountMinor)
  const payment: Payment = debited
    ? { ...request, status: 'SUCCESS', reason: null }
    : {
        ...request,
        status: 'FAIL',
        reason: (await findAccount(trx, request.userId)) ? 'insufficient_funds' : 'account_not_found',
      }
  await insertPayment(trx, payment)
  if (debited) {
    await insertLedgerEntry(trx, {
      userId: request.userId,
      kind: 'charge',
      amountMinor: -request.amountMinor,
      orderId: request.orderId,
    })
  }
  return { payment, replayed: false }
}
