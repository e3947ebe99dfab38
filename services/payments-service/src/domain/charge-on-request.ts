import type { Transaction } from '@shop/platform'
import { chargeOnce } from './charge.ts'
import { type ChargeRequest, isSameCharge } from './payment.ts'

/** Why a charge on request was refused. */
export type ChargeRefusal =
  /** The order id was charged before, with another amount or by another user. */
  { outcome: 'charged_otherwise' } | { outcome: 'account_not_found' } | { outcome: 'insufficient_funds' }

export type ChargeOnRequestOutcome = { outcome: 'charged'; orderId: string } | ChargeRefusal

/**
 * `POST /accounts/charge`: charges an order id once, in the caller's transaction. Asking again
 * with the same order, user and amount answers as the first time and charges nothing. A refusal
 * has written the failed payment in the transaction: the caller rolls it back (a route does, by
 * answering with an error), so no trace of the attempt is kept and the client may top up and
 * try again.
 */
export async function chargeOnRequest(
  tx: Transaction,
  request: ChargeRequest,
): Promise<ChargeOnRequestOutcome> {
  const { payment, replayed } = await chargeOnce(tx, request)
  if (replayed && !isSameCharge(payment, request)) return { outcome: 'charged_otherwise' }
  if (payment.reason === 'account_not_found') return { outcome: 'account_not_found' }
  if (payment.status === 'FAIL') return { outcome: 'insufficient_funds' }
  return { outcome: 'charged', orderId: payment.orderId }
}
