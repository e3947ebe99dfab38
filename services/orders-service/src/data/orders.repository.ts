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

// One statement for any number of orders: the arrays are the columns, one element per order.
const INSERT_ORDERS = prepared(
  `INSERT INTO orders (id, user_id, amount_minor, description)
   SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[]) RETURNING ${COLUMNS}`,
)

export interface NewOrder {
  id: string
  userId: string
  amountMinor: number
  description: string | null
}

/**
 * Inserts NEW orders and appends `events` (what they announce) to the outbox, all in one
 * statement, so they commit together and in one round trip. Returns the orders in the given order.
 */
export async function insertOrders(
  db: Executor,
  orders: readonly NewOrder[],
  events: readonly OutboxMessage[],
): Promise<Order[]> {
  const rows = await writeWithOutbox<OrderRow>(
    db,
    INSERT_ORDERS,
    [
      orders.map((order) => order.id),
      orders.map((order) => order.userId),
      orders.map((order) => order.amountMinor),
      orders.map((order) => order.description),
    ],
    events,
  )
  const byId = new Map(rows.map((row) => [row.id, toOrder(row)]))
  return orders.map((order) => byId.get(order.id) as Order)
}

/** Inserts one NEW order and its events in one statement: `insertOrders` of one. */
export async function insertOrder(
  db: Executor,
  order: NewOrder,
  events: readonly OutboxMessage[],
): Promise<Order> {
  return (await insertOrders(db, [order], events))[0] as Order
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
 * settleOrders' rule in one statement for a whole batch: moves each order to its status if the
 * state machine allows it from the status it is in (`sources`, as JSON arrays: moveOrder's rule),
 * and announces each order it moved on ORDER_STATUS_CHANNEL as JSON `{order_id, user_id, status,
 * reason}`. PostgreSQL delivers the NOTIFYs when the caller's transaction commits and drops them
 * when it rolls back. For each order asked, in order: whether it moved, and whether it exists at
 * all (as the statement began). The ids must be distinct: an order is moved once per statement.
 */
const MOVE_ORDERS = prepared(`
  WITH wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])
                  WITH ORDINALITY AS wanted (id, status, reason, sources, position)
  ), moved AS (
    UPDATE orders SET status = wanted.status, reason = wanted.reason, updated_at = now()
      FROM wanted
     WHERE orders.id = wanted.id
       AND orders.status IN (SELECT jsonb_array_elements_text(wanted.sources))
    RETURNING orders.id, orders.user_id, orders.status, orders.reason
  )
  SELECT moved.id IS NOT NULL AS moved, known.id IS NOT NULL AS known,
         CASE WHEN moved.id IS NOT NULL THEN
           pg_notify($5, json_build_object('order_id', moved.id, 'user_id', moved.user_id,
                                           'status', moved.status, 'reason', moved.reason)::text)
         END AS announced
    FROM wanted
    LEFT JOIN moved ON moved.id = wanted.id
    LEFT JOIN orders AS known ON known.id = wanted.id
   ORDER BY wanted.position`)

export interface OrderMove {
  orderId: string
  to: OrderStatusName
  reason: string | null
}

export async function moveAndAnnounceOrders(
  db: Executor,
  moves: readonly OrderMove[],
): Promise<{ moved: boolean; known: boolean }[]> {
  if (moves.length === 0) return []
  const { rows } = await db.query<{ moved: boolean; known: boolean }>({
    ...MOVE_ORDERS,
    values: [
      moves.map((move) => move.orderId),
      moves.map((move) => move.to),
      moves.map((move) => move.reason),
      moves.map((move) => JSON.stringify(sourcesOf(move.to))),
      ORDER_STATUS_CHANNEL,
    ],
  })
  return rows.map(({ moved, known }) => ({ moved, known }))
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
