import type { Transaction } from '@shop/platform'
import { chargeUnlessPaid, lockOrderPayment } from '../data/payments.repository.ts'
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
  return chargeUnlessPaid(trx, request)
}
