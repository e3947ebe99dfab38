import type { OrderStatusName } from '@shop/contracts'
import { fromMinorUnits } from '@shop/platform'

export interface Order {
  id: string
  userId: string
  amountMinor: number
  description: string | null
  status: OrderStatusName
  reason: string | null
  /** What succeeded refunds have credited back. */
  refundedMinor: number
  createdAt: Date
}

/** The order as clients see it: money as JSON numbers, `reason` only once cancelled. */
export function toOrderView(order: Order) {
  return {
    id: order.id,
    user_id: order.userId,
    amount: fromMinorUnits(order.amountMinor),
    description: order.description,
    status: order.status,
    ...(order.reason ? { reason: order.reason } : {}),
    refunded_amount: fromMinorUnits(order.refundedMinor),
    created_at: order.createdAt.toISOString(),
  }
}

/** The order as every event about it names it: its id (also the message key), owner and amount. */
export const eventFieldsOf = (order: Order) => ({
  order_id: order.id,
  user_id: order.userId,
  amount_minor: order.amountMinor,
})
