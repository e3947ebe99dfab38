import type { OrderStatusName } from './order-status.ts'

/**
 * The only moves an order makes: NEW becomes FINISHED (paid) or CANCELLED (not paid, or by its
 * owner); FINISHED becomes REFUNDED once refunds of its whole amount succeeded. Nothing moves back,
 * and CANCELLED and REFUNDED never move again. Every status change in the services is a
 * conditional UPDATE whose allowed sources come from here (`sourcesOf`).
 */
export const ORDER_TRANSITIONS = {
  NEW: ['FINISHED', 'CANCELLED'],
  FINISHED: ['REFUNDED'],
  CANCELLED: [],
  REFUNDED: [],
} as const satisfies Record<OrderStatusName, readonly OrderStatusName[]>

/** A status an order may reach from NEW: a payment's outcome or its owner's cancellation. */
export type SettledOrderStatus = (typeof ORDER_TRANSITIONS)['NEW'][number]

const STATUSES = Object.keys(ORDER_TRANSITIONS) as OrderStatusName[]

export function canMoveOrder(from: OrderStatusName, to: OrderStatusName): boolean {
  return (ORDER_TRANSITIONS[from] as readonly OrderStatusName[]).includes(to)
}

/** The statuses an order may be in to move to `to`; empty for NEW, which nothing reaches. */
export function sourcesOf(to: OrderStatusName): OrderStatusName[] {
  return STATUSES.filter((from) => canMoveOrder(from, to))
}

/** A status the order never leaves. */
export const isFinalStatus = (status: OrderStatusName): boolean => ORDER_TRANSITIONS[status].length === 0
