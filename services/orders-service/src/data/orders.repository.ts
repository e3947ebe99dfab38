import type { FinalOrderStatus, OrderStatusName } from '@shop/contracts'
import { type Executor, type OutboxMessage, prepared, writeWithOutbox } from '@shop/platform'
import type { Order } from '../domain/order.ts'
import { ORDER_STATUS_CHANNEL } from './order-status-channel.ts'

interface OrderRow {
  id: string
  user_id: string
  amount_minor: string
  description: string | null
  status: OrderStatusName
  reason: string | null
  created_at: Date
}

const COLUMNS = 'id, user_id, amount_minor::text, description, status, reason, created_at'

const toOrder = (row: OrderRow): Order => ({
  id: row.id,
  userId: row.user_id,
  amountMinor: Number(row.amount_minor),
  description: row.description,
  status: row.status,
  reason: row.reason,
  createdAt: row.created_at,
})

const INSERT_ORDER = prepared(
  `INSERT INTO orders (id, user_id, amount_minor, description) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
)

/** Inserts a NEW order and appends `events` (what it announces) to the outbox, in one statement. */
export async function insertOrder(
  db: Executor,
  order: { id: string; userId: string; amountMinor: number; description: string | null },
  events: readonly OutboxMessage[],
): Promise<Order> {
  const rows = await writeWithOutbox<OrderRow>(
    db,
    INSERT_ORDER,
    [order.id, order.userId, order.amountMinor, order.description],
    events,
  )
  return toOrder(rows[0] as OrderRow)
}

/** An order of this user; another user's order is as unknown as a missing one. */
export async function findUserOrder(
  db: Executor,
  userId: string,
  orderId: string,
): Promise<Order | undefined> {
  const { rows } = await db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1 AND user_id = $2`, [
    orderId,
    userId,
  ])
  return rows[0] && toOrder(rows[0])
}

export async function listUserOrders(db: Executor, userId: string, limit: number): Promise<Order[]> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [userId, limit],
  )
  return rows.map(toOrder)
}

/**
 * settleOrder's rule in one statement: moves the order to a final status only while it is NEW, and
 * announces it on ORDER_STATUS_CHANNEL as JSON `{order_id, user_id, status, reason}`. PostgreSQL delivers the NOTIFY when the
 * caller's transaction commits and drops it when it rolls back, to every session LISTENing on the
 * database: every orders-service instance hears every change, and none hears one that did not
 * happen. False when the order is unknown or already final.
 */
const FINISH_NEW_ORDER = prepared(`
  WITH finished AS (
    UPDATE orders SET status = $2, reason = $3, updated_at = now() WHERE id = $1 AND status = 'NEW'
    RETURNING id, user_id, status, reason
  )
  SELECT pg_notify($4, json_build_object('order_id', id, 'user_id', user_id, 'status', status,
                                         'reason', reason)::text)
    FROM finished`)

export async function finishAndAnnounceNewOrder(
  db: Executor,
  orderId: string,
  status: FinalOrderStatus,
  reason: string | null,
): Promise<boolean> {
  const { rowCount } = await db.query({
    ...FINISH_NEW_ORDER,
    values: [orderId, status, reason, ORDER_STATUS_CHANNEL],
  })
  return rowCount === 1
}

export async function orderExists(db: Executor, orderId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM orders WHERE id = $1', [orderId])
  return rowCount === 1
}
