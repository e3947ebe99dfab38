import { type Executor, prepared, type Transaction } from '@shop/platform'
import type { Payment } from '../domain/payment.ts'

interface PaymentRow {
  order_id: string
  user_id: string
  amount_minor: string
  status: 'SUCCESS' | 'FAIL'
  reason: Payment['reason']
  replayed: boolean
}

const toPayment = (row: PaymentRow): Payment => ({
  orderId: row.order_id,
  userId: row.user_id,
  amountMinor: Number(row.amount_minor),
  status: row.status,
  reason: row.reason,
})

const LOCK_ORDER_PAYMENT = prepared('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))')

/**
 * Serialises every attempt to pay one order until the caller's transaction ends, so the attempt
 * that comes second finds the first one's payment instead of racing it.
 */
export async function lockOrderPayment(tx: Transaction, orderId: string): Promise<void> {
  await tx.query({ ...LOCK_ORDER_PAYMENT, values: [`payment:${orderId}`] })
}

/**
 * chargeOnce's charge rule in one statement. The order's payment if it has one; otherwise the
 * debit (only if the balance covers the amount: concurrent debits queue on the row lock and each
 * re-checks the balance it finds, so no interleaving can overdraw an account), its ledger entry,
 * and the payment, whose status and reason the two CASEs decide: SUCCESS when debited, else FAIL
 * for `insufficient_funds` or `account_not_found`. One statement, so one round trip and one
 * snapshot; run it under lockOrderPayment, whose snapshot then includes any payment that a
 * concurrent attempt committed first.
 */
const CHARGE_UNLESS_PAID = prepared(`
  WITH existing AS (
    SELECT order_id, user_id, amount_minor, status, reason FROM payments WHERE order_id = $1
  ), debited AS (
    UPDATE accounts SET balance_minor = balance_minor - $3::bigint, updated_at = now()
     WHERE user_id = $2 AND balance_minor >= $3::bigint AND NOT EXISTS (SELECT FROM existing)
    RETURNING user_id
  ), ledger AS (
    INSERT INTO ledger_entries (user_id, kind, amount_minor, order_id)
    SELECT user_id, 'charge', -$3::bigint, $1 FROM debited
  ), recorded AS (
    INSERT INTO payments (order_id, user_id, amount_minor, status, reason)
    SELECT $1, $2, $3::bigint,
           CASE WHEN EXISTS (SELECT FROM debited) THEN 'SUCCESS' ELSE 'FAIL' END,
           CASE WHEN EXISTS (SELECT FROM debited) THEN NULL
                WHEN EXISTS (SELECT FROM accounts WHERE user_id = $2) THEN 'insufficient_funds'
                ELSE 'account_not_found' END
     WHERE NOT EXISTS (SELECT FROM existing)
    RETURNING order_id, user_id, amount_minor, status, reason
  )
  SELECT order_id, user_id, amount_minor::text, status, reason, false AS replayed FROM recorded
  UNION ALL
  SELECT order_id, user_id, amount_minor::text, status, reason, true FROM existing`)

export async function chargeUnlessPaid(
  tx: Transaction,
  request: { orderId: string; userId: string; amountMinor: number },
): Promise<{ payment: Payment; replayed: boolean }> {
  const { rows } = await tx.query<PaymentRow>({
    ...CHARGE_UNLESS_PAID,
    values: [request.orderId, request.userId, request.amountMinor],
  })
  const row = rows[0] as PaymentRow
  return { payment: toPayment(row), replayed: row.replayed }
}

const LOCK_ORDER_PAYMENTS = prepared(
  'SELECT count(pg_advisory_xact_lock(hashtextextended(name, 0))) FROM unnest($1::text[]) AS name',
)

/**
 * lockOrderPayment for many orders in one statement. The locks are taken in the order of the
 * sorted ids, the same order for every batch, so two batches that share orders queue rather than
 * deadlock.
 */
export async function lockOrderPayments(tx: Transaction, orderIds: readonly string[]): Promise<void> {
  const names = [...orderIds].sort().map((orderId) => `payment:${orderId}`)
  await tx.query({ ...LOCK_ORDER_PAYMENTS, values: [names] })
}

const FIND_PAYMENTS = prepared(
  `SELECT order_id, user_id, amount_minor::text, status, reason, true AS replayed
     FROM payments WHERE order_id = ANY($1::uuid[])`,
)

/** The payments these orders already have, by order id; run it under lockOrderPayments. */
export async function findPayments(
  tx: Transaction,
  orderIds: readonly string[],
): Promise<Map<string, Payment>> {
  const { rows } = await tx.query<PaymentRow>({ ...FIND_PAYMENTS, values: [orderIds] })
  return new Map(rows.map((row) => [row.order_id, toPayment(row)]))
}

const INSERT_PAYMENTS = prepared(
  `INSERT INTO payments (order_id, user_id, amount_minor, status, reason)
   SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[])`,
)

/** Records new payments, SUCCESS or FAIL, in one statement. */
export async function insertPayments(tx: Transaction, payments: readonly Payment[]): Promise<void> {
  if (payments.length === 0) return
  await tx.query({
    ...INSERT_PAYMENTS,
    values: [
      payments.map((payment) => payment.orderId),
      payments.map((payment) => payment.userId),
      payments.map((payment) => payment.amountMinor),
      payments.map((payment) => payment.status),
      payments.map((payment) => payment.reason),
    ],
  })
}

export async function findPayment(db: Executor, orderId: string): Promise<Payment | undefined> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT order_id, user_id, amount_minor::text, status, reason, true AS replayed FROM payments
      WHERE order_id = $1`,
    [orderId],
  )
  return rows[0] && toPayment(rows[0])
}

/** Records that an order was cancelled before it was charged: its order_created, if it comes, charges nothing. */
export async function recordCancelledBeforeCharge(
  db: Executor,
  order: { orderId: string; userId: string; amountMinor: number },
): Promise<void> {
  await db.query(
    `INSERT INTO payments (order_id, user_id, amount_minor, status, reason)
     VALUES ($1, $2, $3, 'FAIL', 'order_cancelled')`,
    [order.orderId, order.userId, order.amountMinor],
  )
}
