import { ErrorCatalogue } from '@shop/contracts'
import { AppError, type Database, withTransaction } from '@shop/platform'
import { accountNotFound } from './accounts.ts'
import { chargeOnce } from './charge.ts'
import { type ChargeRequest, isSameCharge } from './payment.ts'

/**
 * `POST /accounts/charge`: charges an order id once. Asking again with the same order, user and
 * amount answers as the first time and charges nothing; a failed charge is not recorded, so the
 * client may top up and try again.
 */
export async function chargeOnRequest(db: Database, request: ChargeRequest) {
  return withTransaction(db, async (trx) => {
    const { payment, replayed } = await chargeOnce(trx, request)
    if (replayed && !isSameCharge(payment, request)) {
      throw new AppError(
        ErrorCatalogue.orderAlreadyCharged,
        'This order id was charged with another amount or by another user',
      )
    }
    // Throwing rolls the transaction back, so a fresh failure leaves no trace.
    if (payment.reason === 'account_not_found') throw accountNotFound()
    if (payment.status === 'FAIL') {
      throw new AppError(ErrorCatalogue.insufficientFunds, 'The balance does not cover this amount')
    }
    return { order_id: payment.orderId, status: 'SUCCESS' as const }
  })
}
