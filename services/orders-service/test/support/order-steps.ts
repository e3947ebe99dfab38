import { type PaymentFailureReason, type RefundFailureReason, RefundFinished } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import type pg from 'pg'
import { settleOrder } from '../../src/domain/settle-order.ts'
import { settleRefund } from '../../src/domain/settle-refund.ts'
import type { OrdersHarness } from './orders-harness.ts'

/** Applies a payment result as the consumer does, in its own transaction. */
export const settlePayment = (
  pool: pg.Pool,
  order: { orderId: string; userId: string; amountMinor: number },
  failure?: PaymentFailureReason,
) =>
  inTransaction(pool, (tx) =>
    settleOrder(tx, {
      order_id: order.orderId,
      user_id: order.userId,
      amount_minor: order.amountMinor,
      ...(failure ? { status: 'FAIL' as const, reason: failure } : { status: 'SUCCESS' as const }),
    }),
  )

/** An order of `amount` placed through HTTP and paid: FINISHED. */
export async function givenFinishedOrder(harness: OrdersHarness, userId: string, amount: number) {
  const orderId = await harness.placeOrder(userId, amount)
  await settlePayment(harness.pool, { orderId, userId, amountMinor: Math.round(amount * 100) })
  return orderId
}

export const post = (harness: OrdersHarness, url: string, userId: string, body?: unknown, headers = {}) =>
  harness.app.inject({
    method: 'POST',
    url,
    headers: { 'x-user-id': userId, ...headers },
    ...(body === undefined ? {} : { payload: body as object }),
  })

export const get = (harness: OrdersHarness, url: string, userId: string) =>
  harness.app.inject({ method: 'GET', url, headers: { 'x-user-id': userId } })

/** payments-service's answer for a refund, as it is published. */
export const refundFinished = (
  refund: { refund_id: string; order_id: string; user_id: string; amount_minor: number },
  failure?: RefundFailureReason,
) =>
  RefundFinished.create({
    ...refund,
    ...(failure ? { status: 'FAILED' as const, reason: failure } : { status: 'SUCCEEDED' as const }),
  })

/** Applies payments-service's answer for a refund as the consumer does, in its own transaction. */
export const applyRefundResult = (pool: pg.Pool, event: RefundFinished) =>
  inTransaction(pool, (tx) => settleRefund(tx, event.payload))

/** The order_cancelled and refund_requested messages of one order in the outbox, decoded, oldest first. */
export async function orderEventsInOutbox(pool: pg.Pool, orderId: string) {
  const { rows } = await pool.query<{ topic: string; value: string }>(
    'SELECT topic, value FROM outbox WHERE message_key = $1 ORDER BY id',
    [orderId],
  )
  return rows.map((row) => ({
    topic: row.topic,
    ...(JSON.parse(row.value) as { type: string; payload: object }),
  }))
}
