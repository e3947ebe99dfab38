import type { OrderStatus } from '../domain/order.ts'

/** What settling an order announces on ORDER_STATUS_CHANNEL (see finishNewOrder). */
export interface OrderStatusNotice {
  order_id: string
  user_id: string
  status: OrderStatus
  reason: string | null
}

/** What the order's owner receives on the WebSocket: `reason` only once cancelled, as in GET /orders/{id}. */
export interface OrderStatusPush {
  type: 'order_status'
  order_id: string
  status: OrderStatus
  reason?: string
}

const STATUSES = new Set<string>(['NEW', 'FINISHED', 'CANCELLED'])

/** The notice in a notification's payload, or undefined when the payload is not one. */
export function parseOrderStatusNotice(payload: string): OrderStatusNotice | undefined {
  let value: unknown
  try {
    value = JSON.parse(payload)
  } catch {
    return undefined
  }
  const notice = value as Partial<OrderStatusNotice> | null
  if (
    typeof notice?.order_id !== 'string' ||
    typeof notice.user_id !== 'string' ||
    typeof notice.status !== 'string' ||
    !STATUSES.has(notice.status) ||
    (notice.reason !== null && typeof notice.reason !== 'string')
  )
    return undefined
  return notice as OrderStatusNotice
}

export function toOrderStatusPush(notice: OrderStatusNotice): OrderStatusPush {
  return {
    type: 'order_status',
    order_id: notice.order_id,
    status: notice.status,
    ...(notice.reason ? { reason: notice.reason } : {}),
  }
}
