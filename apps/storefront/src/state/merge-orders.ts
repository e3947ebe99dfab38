import { isAhead, type Order, type StatusPush } from '../domain/order.ts'

/**
 * The later of two views of one order. Statuses only move forward (NEW, then FINISHED or
 * CANCELLED; FINISHED then REFUNDED), so a view further along wins, whichever arrived last: a list
 * read before a push arrives after it, and must not turn FINISHED back into NEW. Of two views with
 * the same status, the one that arrived last wins (it may know of more refunds).
 */
export function laterView(known: Order, incoming: Order): Order {
  if (isAhead(incoming.status, known.status)) return known
  return incoming
}

/** The order with a pushed status applied, unless the order is already there or further. */
export function withPushedStatus(order: Order, push: StatusPush): Order {
  if (!isAhead(order.status, push.status)) return order
  const { reason: _dropped, ...rest } = order
  return { ...rest, status: push.status, ...(push.reason ? { reason: push.reason } : {}) }
}

/** Newest first, as GET /orders lists them (ties broken by id, as there). */
const newestFirst = (a: Order, b: Order) =>
  a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1

/**
 * Merges orders read from the API into those known: each order keeps its later view, and one
 * known but not in the read (placed meanwhile) stays. Pushes that came before their order are
 * applied as the order arrives.
 */
export function mergeOrders(
  known: readonly Order[],
  incoming: readonly Order[],
  early: Readonly<Record<string, StatusPush>>,
): Order[] {
  const byId = new Map(known.map((order) => [order.id, order]))
  for (const order of incoming) {
    const current = byId.get(order.id)
    byId.set(order.id, current ? laterView(current, order) : order)
  }
  return [...byId.values()]
    .map((order) => {
      const push = early[order.id]
      return push ? withPushedStatus(order, push) : order
    })
    .sort(newestFirst)
}

/** The pushes still waiting for their order once these orders are known. */
export function unclaimedPushes(
  early: Readonly<Record<string, StatusPush>>,
  orders: readonly Order[],
): Record<string, StatusPush> {
  const known = new Set(orders.map((order) => order.id))
  return Object.fromEntries(Object.entries(early).filter(([id]) => !known.has(id)))
}
