import { type OrderStatusName, sourcesOf } from '@shop/contracts'
import {
  type Executor,
  type OutboxMessage,
  prepared,
  type Transaction,
  writeWithOutbox,
} from '@shop/platform'
import type { Order } from '../domain/order.ts'
import { ORDER_STATUS_CHANNEL } from './order-status-channel.ts'

interface OrderRow {
  id: string
  user_id: string
  amount_minor: string
  description: string | null
  status: OrderStatusName
  reason: string | null
  refunded_minor: string
  created_at: Date
}

const COLUMNS =
  'id, user_id, amount_minor::text, description, status, reason, refunded_minor::text, created_at'

const toOrder = (row: OrderRow): Order => ({
  id: row.id,
  userId: row.user_id,
  amountMinor: Number(row.amount_minor),
  description: row.description,
  status: row.status,
  reason: row.reason,
  refundedMinor: Number(row.refunded_minor),
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
 * Moves an order to `to` if the state machine allows it from the status it is in, and announces
 * it on ORDER_STATUS_CHANNEL as JSON `{order_id, user_id, status, reason}`, in one statement.
 * PostgreSQL delivers the NOTIFY when the caller's transaction commits and drops it when it rolls
 * back, to every session LISTENing on the database: every orders-service instance hears every
 * change, and none hears one that did not happen. `userId` narrows it to the owner's order.
 * Undefined when the order is unknown or may not move to `to`.
 */
const MOVE_ORDER = prepared(`
  WITH moved AS (
    UPDATE orders SET status = $2, reason = $3, updated_at = now()
     WHERE id = $1 AND status = ANY($5::text[]) AND ($6::uuid IS NULL OR user_id = $6)
    RETURNING ${COLUMNS}
  ), announced AS (
    SELECT pg_notify($4, json_build_object('order_id', id, 'user_id', user_id, 'status', status,
                                           'reason', reason)::text)
      FROM moved
  )
  SELECT moved.* FROM moved, announced`)

export async function moveOrder(
  db: Executor,
  move: { orderId: string; to: OrderStatusName; reason: string | null; userId?: string },
): Promise<Order | undefined> {
  const { rows } = await db.query<OrderRow>({
    ...MOVE_ORDER,
    values: [
      move.orderId,
      move.to,
      move.reason,
      ORDER_STATUS_CHANNEL,
      sourcesOf(move.to),
      move.userId ?? null,
    ],
  })
  return rows[0] && toOrder(rows[0])
}

/**
 * Announces an order's current status on ORDER_STATUS_CHANNEL when the transaction commits, as
 * moveOrder does: for a change the page shows that is not a move, such as a refund that settled.
 */
export async function announceOrder(db: Executor, orderId: string): Promise<void> {
  await db.query(
    `SELECT pg_notify($2, json_build_object('order_id', id, 'user_id', user_id, 'status', status,
                                            'reason', reason)::text)
       FROM orders WHERE id = $1`,
    [orderId, ORDER_STATUS_CHANNEL],
  )
}

/** The owner's order, locked until the transaction ends: what it decides on cannot change under it. */
export async function lockUserOrder(
  tx: Transaction,
  userId: string,
  orderId: string,
): Promise<Order | undefined> {
  const { rows } = await tx.query<OrderRow>(
    `SELECT ${COLUMNS} FROM orders WHERE id = $1 AND user_id = $2 FOR UPDATE`,
    [orderId, userId],
  )
  return rows[0] && toOrder(rows[0])
}

/** Adds a succeeded refund to what the order has had back, and returns the order as it now is. */
export async function addRefunded(db: Executor, orderId: string, amountMinor: number): Promise<Order> {
  const { rows } = await db.query<OrderRow>(
    `UPDATE orders SET refunded_minor = refunded_minor + $2, updated_at = now() WHERE id = $1
     RETURNING ${COLUMNS}`,
    [orderId, amountMinor],
  )
  return toOrder(rows[0] as OrderRow)
}

export async function orderExists(db: Executor, orderId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM orders WHERE id = $1', [orderId])
  return rowCount === 1
}
