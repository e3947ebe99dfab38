import { canMoveOrder, type OrderStatusName, type RefundStatusName } from '@shop/contracts/browser'

export type { OrderStatusName as OrderStatus, OrderStatusPush as StatusPush } from '@shop/contracts/browser'

/** An order as the API returns it. */
export interface Order {
  id: string
  user_id: string
  amount: number
  description: string | null
  status: OrderStatusName
  /** Why a CANCELLED order was cancelled; absent otherwise. */
  reason?: string
  /** What refunds have given back so far. */
  refunded_amount: number
  created_at: string
}

/** A refund of an order as the API returns it. */
export interface Refund {
  id: string
  order_id: string
  amount: number
  status: RefundStatusName
  /** Why a FAILED refund failed. */
  reason?: string
  created_at: string
}

/** An order's status only moves forward (NEW, then FINISHED or CANCELLED, FINISHED then REFUNDED). */
export const isAhead = (from: OrderStatusName, to: OrderStatusName): boolean =>
  canMoveOrder(from, to) || (from === 'NEW' && canMoveOrder('FINISHED', to))

const REASONS: Record<string, string> = {
  insufficient_funds: 'not enough money in the account',
  account_not_found: 'there is no account for this user id',
  payment_conflict: 'this order id was already charged with another amount or user',
  cancelled_by_customer: 'you cancelled it',
  payment_not_found: 'the order was not paid from this account',
  refund_exceeds_payment: 'it would give back more than was paid',
}

/** A cancellation reason in words; an unknown code is shown as it is rather than hidden. */
export const reasonInWords = (reason: string): string => REASONS[reason] ?? reason.replaceAll('_', ' ')
