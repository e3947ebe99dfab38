import type { Transaction } from '@shop/platform'
import { debitAccounts, insertLedgerEntries, lockBalances } from '../data/accounts.repository.ts'
import { findPayments, insertPayments, lockOrderPayments } from '../data/payments.repository.ts'
import type { ChargeOutcome } from './charge.ts'
import type { ChargeRequest, Payment } from './payment.ts'

/**
 * chargeOnce for a batch of orders, with one round of statements for all of them: the orders'
 * locks, their payments so far, their users' balances (rows locked), then the debits, the
 * payments and the ledger entries. Each order is charged at most once, however often it appears;
 * a repeat finds the payment the first made. The outcome is what charging the orders one after
 * another, in the given order, would give: an order is debited only if the balance left by the
 * orders before it covers the whole amount (see decideCharges).
 */
export async function chargeEach(
  tx: Transaction,
  requests: readonly ChargeRequest[],
): Promise<ChargeOutcome[]> {
  const orderIds = [...new Set(requests.map((request) => request.orderId))]
  await lockOrderPayments(tx, orderIds)
  const paid = await findPayments(tx, orderIds)
  const firsts = new Map<string, ChargeRequest>()
  for (const request of requests)
    if (!paid.has(request.orderId) && !firsts.has(request.orderId)) firsts.set(request.orderId, request)
  const toCharge = [...firsts.values()]
  const balances = await lockBalances(tx, [...new Set(toCharge.map((request) => request.userId))])
  const decided = decideCharges(toCharge, balances)
  const debited = decided.filter((payment) => payment.status === 'SUCCESS')
  await debitAccounts(tx, totalPerUser(debited))
  await insertPayments(tx, decided)
  await insertLedgerEntries(
    tx,
    debited.map((payment) => ({
      userId: payment.userId,
      kind: 'charge',
      amountMinor: -payment.amountMinor,
      orderId: payment.orderId,
    })),
  )
  const made = new Map(decided.map((payment) => [payment.orderId, payment]))
  const claimed = new Set<string>()
  return requests.map((request) => {
    const earlier = paid.get(request.orderId)
    if (earlier) return { payment: earlier, replayed: true }
    const firstTime = !claimed.has(request.orderId)
    claimed.add(request.orderId)
    return { payment: made.get(request.orderId) as Payment, replayed: !firstTime }
  })
}

/**
 * The charge rule over a sequence of orders, each against the balance the orders before it left:
 * SUCCESS when the balance covers the whole amount, else FAIL for `insufficient_funds`, or
 * `account_not_found` for a user with no account. Amounts are integer minor units.
 */
export function decideCharges(
  requests: readonly ChargeRequest[],
  balancesMinor: ReadonlyMap<string, number>,
): Payment[] {
  const left = new Map(balancesMinor)
  return requests.map(({ orderId, userId, amountMinor }) => {
    const balance = left.get(userId)
    const base = { orderId, userId, amountMinor }
    if (balance === undefined) return { ...base, status: 'FAIL', reason: 'account_not_found' }
    if (balance < amountMinor) return { ...base, status: 'FAIL', reason: 'insufficient_funds' }
    left.set(userId, balance - amountMinor)
    return { ...base, status: 'SUCCESS', reason: null }
  })
}

function totalPerUser(payments: readonly Payment[]): { userId: string; amountMinor: number }[] {
  const totals = new Map<string, number>()
  for (const payment of payments)
    totals.set(payment.userId, (totals.get(payment.userId) ?? 0) + payment.amountMinor)
  return [...totals].map(([userId, amountMinor]) => ({ userId, amountMinor }))
}
