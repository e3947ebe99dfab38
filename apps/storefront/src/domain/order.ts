export type OrderStatus = 'NEW' | 'FINISHED' | 'CANCELLED'

/** An order as the API returns it. */
export interface Order {
  id: string
  user_id: string
  amount: number
  description: string | null
  status: OrderStatus
  /** Why a CANCELLED order was cancelled; absent otherwise. */
  reason?: string
  created_at: string
}

/** What the live socket says about one of the user's orders. */
export interface StatusPush {
  type: 'order_status'
  order_id: string
  status: OrderStatus
  reason?: string
}

/** FINISHED and CANCELLED never change again; NEW becomes one of them. */
export const isFinal = (status: OrderStatus): boolean => status !== 'NEW'

const REASONS: Record<string, string> = {
  insufficient_funds: 'not enough money in the account',
  account_not_found: 'there is no account for this user id',
  payment_conflict: 'this order id was already charged with another amount or user',
}

/** A cancellation reason in words; an unknown code is shown as it is rather than hidden. */
export const reasonInWords = (reason: string): string => REASONS[reason] ?? reason.replaceAll('_', ' ')
