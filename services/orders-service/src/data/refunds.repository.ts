import type { RefundFailureReason, RefundStatusName } from '@shop/contracts'
import type { Executor } from '@shop/platform'
import type { Refund } from '../domain/refund.ts'

interface RefundRow {
  id: string
  order_id: string
  amount_minor: string
  status: RefundStatusName
  reason: RefundFailureReason | null
  created_at: Date
}

const COLUMNS = 'id, order_id, amount_minor::text, status, reason, created_at'

const toRefund = (row: RefundRow): Refund => ({
  id: row.id,
  orderId: row.order_id,
  amountMinor: Number(row.amount_minor),
  status: row.status,
  reason: row.reason,
  createdAt: row.created_at,
})

export async function insertRefund(
  db: Executor,
  refund: { id: string; orderId: string; userId: string; amountMinor: number },
): Promise<Refund> {
  const { rows } = await db.query<RefundRow>(
    `INSERT INTO refunds (id, order_id, user_id, amount_minor) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [refund.id, refund.orderId, refund.userId, refund.amountMinor],
  )
  return toRefund(rows[0] as RefundRow)
}

/** What the order's refunds that did not fail add up to: pending ones may still be credited. */
export async function claimedRefundsMinor(db: Executor, orderId: string): Promise<number> {
  const { rows } = await db.query<{ claimed: string }>(
    `SELECT coalesce(sum(amount_minor), 0)::text AS claimed FROM refunds
      WHERE order_id = $1 AND status <> 'FAILED'`,
    [orderId],
  )
  return Number(rows[0]?.claimed ?? 0)
}

export async function listOrderRefunds(db: Executor, orderId: string): Promise<Refund[]> {
  const { rows } = await db.query<RefundRow>(
    `SELECT ${COLUMNS} FROM refunds WHERE order_id = $1 ORDER BY created_at, id`,
    [orderId],
  )
  return rows.map(toRefund)
}

/** Records payments-service's answer for a PENDING refund; undefined when it was recorded before or is unknown. */
export async function finishPendingRefund(
  db: Executor,
  refundId: string,
  status: Exclude<RefundStatusName, 'PENDING'>,
  reason: RefundFailureReason | null,
): Promise<Refund | undefined> {
  const { rows } = await db.query<RefundRow>(
    `UPDATE refunds SET status = $2, reason = $3, updated_at = now() WHERE id = $1 AND status = 'PENDING'
     RETURNING ${COLUMNS}`,
    [refundId, status, reason],
  )
  return rows[0] && toRefund(rows[0])
}
