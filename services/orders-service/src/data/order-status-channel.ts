import type { Queryable } from '@shop/platform'

/** The PostgreSQL channel on which orders-service announces each order that reached a final status. */
export const ORDER_STATUS_CHANNEL = 'order_status'

/**
 * Announces the order's status as it stands in the caller's transaction, as JSON
 * `{order_id, user_id, status, reason}`. PostgreSQL delivers a NOTIFY when that transaction
 * commits and drops it when it rolls back, to every session LISTENing on the database: every
 * orders-service instance hears every change, and none hears one that did not happen.
 */
export async function announceOrderStatus(trx: Queryable, orderId: string): Promise<void> {
  await trx.query(
    `SELECT pg_notify($1, json_build_object('order_id', id, 'user_id', user_id, 'status', status, 'reason', reason)::text)
       FROM orders WHERE id = $2`,
    [ORDER_STATUS_CHANNEL, orderId],
  )
}
