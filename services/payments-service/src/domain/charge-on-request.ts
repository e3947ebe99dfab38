import { type Database, withTransaction } from '@shop/platform'
import { chargeOnce } from './charge.ts'
import { type ChargeRequest, isSameCharge } from './payment.ts'

/** Why a charge on request was refused; nothing of the attempt is kept. */
export type ChargeRefusal =
  /** The order id was charged before, with another amount or by another user. */
  { outcome: 'charged_otherwise' } | { outcome: 'account_not_found' } | { outcome: 'insufficient_funds' }

export type ChargeOnRequestOutcome = { outcome: 'charged'; orderId: string } | ChargeRefusal

/** Thrown inside the transaction so that a refused charge rolls back, and caught to return why. */
class Refused extends Error {
  readonly refusal: ChargeRefusal

  constructor(refusal: ChargeRefusal) {
    super(refusal.outcome)
    this.refusal = refusal
  }
}

/**
 * `POST /accounts/charge`: charges an order id once. Asking again with the same order, user and
 * amount answers as the first time and charges nothing; a failed charge is not recorded, so the
 * client may top up and try again.
 */
export async function chargeOnRequest(db: Database, request: ChargeRequest): Promise<ChargeOnRequestOutcome> {
  try {
    return await withTransaction(db, async (trx) => {
      const { payment, replayed } = await chargeOnce(trx, request)
      if (replayed && !isSameCharge(payment, request)) throw new Refused({ outcome: 'charged_otherwise' })
      // Rolling back leaves no trace of a fresh failure.
      if (payment.reason === 'account_not_found') throw new Refused({ outcome: 'account_not_found' })
      if (payment.status === 'FAIL') throw new Refused({ outcome: 'insufficient_funds' })
      return { outcome: 'charged', orderId: payment.orderId } as const
    })
  } catch (error) {
    if (error instanceof Refused) return error.refusal
    throw error
  }
}
