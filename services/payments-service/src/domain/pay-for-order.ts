import {
  normaliseUuid,
  type OrderCreatedPayload,
  PaymentFinished,
  type PaymentFinishedPayload,
} from '@shop/contracts'
import { appendToOutbox, TRACEPARENT_HEADER, type Transaction } from '@shop/platform'
import { chargeOnce } from './charge.ts'
import { chargeEach } from './charge-each.ts'
import { type ChargeRequest, isSameCharge, type Payment } from './payment.ts'

/** An `order_created` to pay, with the trace it came with, carried on to orders-service. */
export interface OrderToPay {
  order: OrderCreatedPayload
  traceparent?: string | undefined
}

/**
 * Settles an `order_created` event inside the consumer's transaction: charge the order at most
 * once and put the outcome in the outbox. A second delivery (even with another event id) finds
 * the payment and announces the same outcome again, which orders-service ignores once settled.
 */
export async function payForOrder(
  tx: Transaction,
  order: OrderCreatedPayload,
  paymentResultsTopic: string,
  /** The trace the order came with, carried on to orders-service. */
  traceparent?: string,
): Promise<PaymentFinishedPayload> {
  const request = chargeRequestOf(order)
  const { payment } = await chargeOnce(tx, request)
  const [result] = await announce(tx, [{ request, payment, traceparent }], paymentResultsTopic)
  return result as PaymentFinishedPayload
}

/**
 * payForOrder for a batch of events, in their order, with one round of statements for all of
 * them (chargeEach, then one outbox statement): the same outcome for each as paying them one
 * after another.
 */
export async function payForOrders(
  tx: Transaction,
  orders: readonly OrderToPay[],
  paymentResultsTopic: string,
): Promise<PaymentFinishedPayload[]> {
  const requests = orders.map(({ order }) => chargeRequestOf(order))
  const outcomes = await chargeEach(tx, requests)
  return announce(
    tx,
    requests.map((request, index) => ({
      request,
      payment: (outcomes[index] as { payment: Payment }).payment,
      traceparent: orders[index]?.traceparent,
    })),
    paymentResultsTopic,
  )
}

// The contract's uuid format accepts either case and PostgreSQL answers in lower case: compare,
// lock and key in lower case, so a redelivery in another case is not a conflict (nor another key).
const chargeRequestOf = (order: OrderCreatedPayload): ChargeRequest => ({
  orderId: normaliseUuid(order.order_id),
  userId: normaliseUuid(order.user_id),
  amountMinor: order.amount_minor,
})

/** What each order's payment says to orders-service, put in the outbox in one statement. */
async function announce(
  tx: Transaction,
  paid: readonly { request: ChargeRequest; payment: Payment; traceparent?: string | undefined }[],
  paymentResultsTopic: string,
): Promise<PaymentFinishedPayload[]> {
  const results = paid.map(({ request, payment }) => resultOf(request, payment))
  await appendToOutbox(
    tx,
    paid.map(({ request, traceparent }, index) => ({
      topic: paymentResultsTopic,
      key: request.orderId,
      value: PaymentFinished.encode(PaymentFinished.create(results[index] as PaymentFinishedPayload)),
      ...(traceparent ? { headers: { [TRACEPARENT_HEADER]: traceparent } } : {}),
    })),
  )
  return results
}

function resultOf(request: ChargeRequest, payment: Payment): PaymentFinishedPayload {
  const base = { order_id: request.orderId, user_id: request.userId, amount_minor: request.amountMinor }
  if (!isSameCharge(payment, request)) return { ...base, status: 'FAIL', reason: 'payment_conflict' }
  return payment.status === 'SUCCESS'
    ? { ...base, status: 'SUCCESS' }
    : { ...base, status: 'FAIL', reason: payment.reason ?? 'insufficient_funds' }
}
