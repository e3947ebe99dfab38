import type { OrderStatusPush } from './order-status-messages.ts'
import { checkOrderStatusPushAsRead } from './order-status-push-check.generated.ts'
import { readJson } from './read-json.ts'

/** The push as the order's owner receives it: `reason` only when there is one, as in GET /orders/{id}. */
export const toOrderStatusPush = (notice: {
  order_id: string
  status: OrderStatusPush['status']
  reason?: string | null | undefined
}): OrderStatusPush => ({
  type: 'order_status',
  order_id: notice.order_id,
  status: notice.status,
  ...(notice.reason ? { reason: notice.reason } : {}),
})

/** The status push in a socket message, with only the fields this version knows; undefined for anything else. */
export function readOrderStatusPush(data: unknown): OrderStatusPush | undefined {
  const push = readJson<OrderStatusPush>(data, checkOrderStatusPushAsRead)
  return push && toOrderStatusPush(push)
}
