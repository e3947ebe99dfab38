import { useState } from 'preact/hooks'
import { formatAmount } from '../domain/money.ts'
import { type Order, reasonInWords } from '../domain/order.ts'
import { type RefundActions, RefundPanel } from './RefundPanel.tsx'
import { StatusBadge } from './StatusBadge.tsx'

export interface OrderActions extends RefundActions {
  /** Resolves once the API answered; a refusal is shown by the page's notice. */
  cancelOrder(orderId: string): Promise<unknown>
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' })

/** The visitor's orders, newest first; statuses change in place as they are pushed. */
export function OrderList({
  orders,
  loaded,
  actions,
}: {
  orders: Order[]
  loaded: boolean
  actions: OrderActions
}) {
  return (
    <section class="card orders" aria-labelledby="orders-title">
      <h2 id="orders-title">Your orders</h2>
      {!loaded && orders.length === 0 && <p class="quiet">Reading your orders…</p>}
      {loaded && orders.length === 0 && (
        <p class="quiet">No orders yet. Place one and watch it being paid.</p>
      )}
      {orders.length > 0 && (
        <ol class="order-list">
          {orders.map((order) => (
            <OrderItem key={order.id} order={order} actions={actions} />
          ))}
        </ol>
      )}
    </section>
  )
}

function OrderItem({ order, actions }: { order: Order; actions: OrderActions }) {
  const [cancelling, setCancelling] = useState(false)
  const cancel = async () => {
    setCancelling(true)
    await actions.cancelOrder(order.id)
    setCancelling(false)
  }
  return (
    <li class="order" data-order-id={order.id} data-status={order.status}>
      <div class="order-line">
        <span class="order-description">{order.description ?? 'No description'}</span>
        <span class="order-amount">{formatAmount(order.amount)}</span>
      </div>
      <div class="order-line order-meta">
        <StatusBadge status={order.status} />
        <span class="quiet">
          <time dateTime={order.created_at}>{when.format(new Date(order.created_at))}</time>
          {' · '}
          <span title={order.id}>#{order.id.slice(0, 8)}</span>
        </span>
      </div>
      {order.status === 'CANCELLED' && order.reason && (
        <p class="order-reason" data-testid="order-reason">
          Cancelled: {reasonInWords(order.reason)}.
        </p>
      )}
      {order.refunded_amount > 0 && (
        <p class="quiet" data-testid="refunded-amount">
          Refunded {formatAmount(order.refunded_amount)} of {formatAmount(order.amount)}.
        </p>
      )}
      {order.status === 'NEW' && (
        <button type="button" class="secondary" disabled={cancelling} onClick={() => void cancel()}>
          {cancelling ? 'Cancelling…' : 'Cancel order'}
        </button>
      )}
      {(order.status === 'FINISHED' || order.status === 'REFUNDED') && (
        <RefundPanel order={order} actions={actions} />
      )}
    </li>
  )
}
