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
 * settleOrders' rule in one statement for a whole batch: moves each order to its final status only
 * while it is NEW, and announces each order it moved on ORDER_STATUS_CHANNEL as JSON `{order_id,
 * user_id, status, reason}`. PostgreSQL delivers the NOTIFYs when the caller's transaction commits
 * and drops them when it rolls back, to every session LISTENing on the database: every
 * orders-service instance hears every change, and none hears one that did not happen. For each
 * order asked, in order: whether it moved, and whether it exists at all (as the statement began).
 * The ids must be distinct: an order is moved once per statement.
 */
const FINISH_NEW_ORDERS = prepared(`
  WITH wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS wanted (id, status, reason, position)
  ), finished AS (
    UPDATE orders SET status = wanted.status, reason = wanted.reason, updated_at = now()
      FROM wanted WHERE orders.id = wanted.id AND orders.status = 'NEW'
    RETURNING orders.id, orders.user_id, orders.status, orders.reason
  )
  SELECT finished.id IS NOT NULL AS finished, known.id IS NOT NULL AS known,
         CASE WHEN finished.id IS NOT NULL THEN
           pg_notify($4, json_build_object('order_id', finished.id, 'user_id', finished.user_id,
                                           'status', finished.status, 'reason', finished.reason)::text)
         END AS announced
    FROM wanted
    LEFT JOIN finished ON finished.id = wanted.id
    LEFT JOIN orders AS known ON known.id = wanted.id
   ORDER BY wanted.position`)

export interface FinalStatusChange {
  orderId: string
  status: FinalOrderStatus
  reason: string | null
}

export async function finishAndAnnounceNewOrders(
  db: Executor,
  changes: readonly FinalStatusChange[],
): Promise<{ finished: boolean; known: boolean }[]> {
  if (changes.length === 0) return []
  const { rows } = await db.query<{ finished: boolean; known: boolean }>({
    ...FINISH_NEW_ORDERS,
    values: [
      changes.map((change) => change.orderId),
      changes.map((change) => change.status),
      changes.map((change) => change.reason),
      ORDER_STATUS_CHANNEL,
    ],
  })
  return rows.map(({ finished, known }) => ({ finished, known }))
}
