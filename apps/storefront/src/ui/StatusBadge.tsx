import type { OrderStatus } from '../domain/order.ts'

/** An order's status as a coloured word; made anew (keyed by status) so that a change is animated. */
export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span key={status} class={`badge badge-${status.toLowerCase()}`} data-testid="order-status">
      {status}
    </span>
  )
}
