import type { OrderStatusName } from '@shop/contracts/browser'

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
  created_at: string
}

/** FINISHED and CANCELLED never change again; NEW becomes one of them. */
export const isFinal = (status: OrderStatusName): boolean => status !== 'NEW'

const REASONS: Record<string, string> = {
  insufficient_funds: 'not enough money in the account',
  account_not_found: 'there is no account for this user id',
  payment_conflict: 'this order id was already charged with another amount or user',
}

/** A cancellation reason in words; an unknown code is shown as it is rather than hidden. */
export const reasonInWords = (reason: string): string => REASONS[reason] ?? reason.replaceAll('_', ' ')
