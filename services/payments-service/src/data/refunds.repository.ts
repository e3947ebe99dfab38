import type { Executor } from '@shop/platform'
import type { Refund } from '../domain/refund.ts'

interface RefundRow {
  id: string
  order_id: string
  user_id: string
  amount_minor: string
  cause: Refund['cause']
  status: Refund['status']
  reason: Refund['reason']
}

const COLUMNS = 'id, order_id, user_id, amount_minor::text, cause, status, reason'

const toRefund = (row: RefundRow): Refund => ({
  id: row.id,
  orderId: row.order_id,
  userId: row.user_id,
  amountMinor: Number(row.amount_minor),
  cause: row.cause,
  status: row.status,
  reason: row.reason,
})

export async function findRefund(db: Executor, refundId: string): Promise<Refund | undefined> {
  const { rows } = await db.query<RefundRow>(`SELECT ${COLUMNS} FROM refunds WHERE id = $1`, [refundId])
  return rows[0] && toRefund(rows[0])
}

/** What succeeded refunds of the order have credited back, whatever their cause. */
export async function refundedMinor(db: Executor, orderId: string): Promise<number> {
  const { rows } = await db.query<{ refunded: string }>(
    `SELECT coalesce(sum(amount_minor), 0)::text AS refunded FROM refunds
      WHERE order_id = $1 AND status = 'SUCCEEDED'`,
    [orderId],
  )
  return Number(rows[0]?.refunded ?? 0)
}

/**
 * Records a refund; false when it is there already (the same refund id, or a second refund of a
 * cancelled order's charge), in which case nothing may be credited again.
 */
export async function insertRefund(db: Executor, refund: Refund): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO refunds (id, order_id, user_id, amount_minor, cause, status, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [
      refund.id,
      refund.orderId,
      refund.userId,
      refund.amountMinor,
      refund.cause,
      refund.status,
      refund.reason,
    ],
  )
  return rowCount === 1
}
