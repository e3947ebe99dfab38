import type { Queryable } from '@shop/platform'
import type { Payment } from '../domain/payment.ts'

interface PaymentRow {
  order_id: string
  user_id: string
  amount_minor: string
  status: 'SUCCESS' | 'FAIL'
  reason: Payment['reason']
}

const toPayment = (row: PaymentRow): Payment => ({
  orderId: row.order_id,
  userId: row.user_id,
  amountMinor: Number(row.amount_minor),
  status: row.status,
  reason: row.reason,
})

/**
 * Serialises every attempt to pay one order until the caller's transaction ends, so the attempt
 * that comes second finds the first one's payment instead of racing it.
 */
export async function lockOrderPayment(trx: Queryable, orderId: string): Promise<void> {
  await trx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`payment:${orderId}`])
}

export async function findPayment(db: Queryable, orderId: string): Promise<Payment | undefined> {
  const { rows } = await db.query<PaymentRow>(
    'SELECT order_id, user_id, amount_minor::text, status, reason FROM payments WHERE order_id = $1',
    [orderId],
  )
  return rows[0] && toPayment(rows[0])
}

export async function insertPayment(db: Queryable, payment: Payment): Promise<void> {
  await db.query(
    'INSERT INTO payments (order_id, user_id, amount_minor, status, reason) VALUES ($1, $2, $3, $4, $5)',
    [payment.orderId, payment.userId, payment.amountMinor, payment.status, payment.reason],
  )
}
