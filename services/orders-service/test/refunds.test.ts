import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem } from '../../../tests/support/problem.ts'
import {
  applyRefundResult,
  get,
  givenFinishedOrder,
  orderEventsInOutbox,
  post,
  refundFinished,
  settlePayment,
} from './support/order-steps.ts'
import { countRows, type OrdersHarness, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness

beforeAll(async () => {
  // Room for twenty requests at once: each holds a connection while it waits for the order's lock.
  harness = await startOrdersHarness({ poolSize: 25 })
})

afterAll(async () => {
  await harness?.close()
})

const refund = (orderId: string, userId: string, body?: unknown, headers = {}) =>
  post(harness, `/orders/${orderId}/refunds`, userId, body, headers)

const refundsOf = async (orderId: string, userId: string) =>
  (await get(harness, `/orders/${orderId}/refunds`, userId)).json() as {
    id: string
    amount: number
    status: string
    reason?: string
  }[]

const refundRows = async () =>
  Number((await harness.pool.query('SELECT count(*) FROM refunds')).rows[0].count)

/** The refund as payments-service is asked to credit it. */
const requested = (userId: string, orderId: string, refundId: string, amountMinor: number) => ({
  refund_id: refundId,
  order_id: orderId,
  user_id: userId,
  amount_minor: amountMinor,
})

describe('POST /orders/{order_id}/refunds', () => {
  it('when a FINISHED order is refunded without an amount, then 202 with a PENDING refund of all of it, and refund_requested goes to the outbox', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)

    const response = await refund(orderId, userId)

    expect(response.statusCode).toBe(202)
    const body = response.json()
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      order_id: orderId,
      amount: 5,
      status: 'PENDING',
      created_at: expect.any(String),
    })
    const events = await orderEventsInOutbox(harness.pool, orderId)
    expect(events.at(-1)).toMatchObject({
      topic: harness.ordersTopic,
      type: 'refund_requested',
      payload: requested(userId, orderId, body.id, 500),
    })
  })

  it('when an amount is given, then only that is refunded, and the rest may be refunded later', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)

    expect((await refund(orderId, userId, { amount: 1.25 })).json()).toMatchObject({ amount: 1.25 })
    expect((await refund(orderId, userId)).json()).toMatchObject({ amount: 3.75 })
    expectProblem(await refund(orderId, userId, { amount: 0.01 }), 422, 'refund_exceeds_order')
    expect((await refundsOf(orderId, userId)).map((each) => each.amount)).toEqual([1.25, 3.75])
  })

  it('when the amount is more than is left, then 422 refund_exceeds_order and nothing is written', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)
    await refund(orderId, userId, { amount: 4 })
    const before = { ...(await countRows(harness.pool)), refunds: await refundRows() }

    expectProblem(await refund(orderId, userId, { amount: 1.01 }), 422, 'refund_exceeds_order')
    expectProblem(await refund(orderId, userId, { amount: 5.01 }), 422, 'refund_exceeds_order')
    expect({ ...(await countRows(harness.pool)), refunds: await refundRows() }).toEqual(before)
  })

  it('when the order is NEW, CANCELLED or REFUNDED, then 409 order_not_refundable and nothing is written', async () => {
    const userId = randomUUID()
    const fresh = await harness.placeOrder(userId, 1)
    const unpaid = await harness.placeOrder(userId, 1)
    await settlePayment(harness.pool, { orderId: unpaid, userId, amountMinor: 100 }, 'insufficient_funds')
    const refunded = await givenFinishedOrder(harness, userId, 1)
    const whole = (await refund(refunded, userId)).json()
    await applyRefundResult(harness.pool, refundFinished(requested(userId, refunded, whole.id, 100)))
    const before = { ...(await countRows(harness.pool)), refunds: await refundRows() }

    for (const orderId of [fresh, unpaid, refunded])
      expectProblem(await refund(orderId, userId, { amount: 0.5 }), 409, 'order_not_refundable')
    expect({ ...(await countRows(harness.pool)), refunds: await refundRows() }).toEqual(before)
  })

  it('when the order is another user’s or unknown, then 404 order_not_found', async () => {
    const orderId = await givenFinishedOrder(harness, randomUUID(), 1)

    expectProblem(await refund(orderId, randomUUID()), 404, 'order_not_found')
    expectProblem(await refund(randomUUID(), randomUUID()), 404, 'order_not_found')
    expectProblem(await get(harness, `/orders/${orderId}/refunds`, randomUUID()), 404, 'order_not_found')
  })

  it('when the amount breaks the schema, then 422 validation_failed and nothing is written', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)

    for (const body of [{ amount: 0 }, { amount: -1 }, { amount: 1.001 }, { amount: '1' }, { extra: 1 }])
      expectProblem(await refund(orderId, userId, body), 422, 'validation_failed')
    expect(await refundsOf(orderId, userId)).toEqual([])
  })

  it('when twenty refunds of 1.00 race on an order of 5.00, then exactly five are accepted and fifteen are 422', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refund(orderId, userId, { amount: 1 })),
    )

    const statuses = answers.map((answer) => answer.statusCode)
    expect(statuses.filter((status) => status === 202)).toHaveLength(5)
    expect(statuses.filter((status) => status === 422)).toHaveLength(15)
    for (const answer of answers.filter((each) => each.statusCode === 422))
      expectProblem(answer, 422, 'refund_exceeds_order')
    expect(await refundsOf(orderId, userId)).toHaveLength(5)
    const announced = (await orderEventsInOutbox(harness.pool, orderId)).filter(
      (event) => event.type === 'refund_requested',
    )
    expect(announced).toHaveLength(5)
  })

  it('when the request is repeated with its Idempotency-Key, then one refund is made and its answer replayed', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)
    const key = { 'idempotency-key': randomUUID() }

    const first = await refund(orderId, userId, { amount: 2 }, key)
    const second = await refund(orderId, userId, { amount: 2 }, key)

    expect(second.statusCode).toBe(202)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    expect(await refundsOf(orderId, userId)).toHaveLength(1)
  })
})

describe('the answer of payments-service for a refund', () => {
  it('when a part succeeded, then the refund is SUCCEEDED, refunded_amount grows and the order stays FINISHED', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)
    const { id } = (await refund(orderId, userId, { amount: 2 })).json()

    expect(await applyRefundResult(harness.pool, refundFinished(requested(userId, orderId, id, 200)))).toBe(
      'settled',
    )

    expect(await refundsOf(orderId, userId)).toMatchObject([{ id, status: 'SUCCEEDED', amount: 2 }])
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ status: 'FINISHED', refunded_amount: 2 })
  })

  it('when refunds of the whole amount succeeded, then the order is REFUNDED', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)
    const first = (await refund(orderId, userId, { amount: 2 })).json()
    const rest = (await refund(orderId, userId)).json()

    await applyRefundResult(harness.pool, refundFinished(requested(userId, orderId, first.id, 200)))
    const outcome = await applyRefundResult(
      harness.pool,
      refundFinished(requested(userId, orderId, rest.id, 300)),
    )

    expect(outcome).toBe('fully_refunded')
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ status: 'REFUNDED', refunded_amount: 5 })
    const listed = await get(harness, '/orders', userId)
    expect(listed.json()).toMatchObject([{ id: orderId, status: 'REFUNDED', refunded_amount: 5 }])
  })

  it('when a refund failed, then it is FAILED with the reason, and its amount may be asked for again', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)
    const { id } = (await refund(orderId, userId)).json()

    await applyRefundResult(
      harness.pool,
      refundFinished(requested(userId, orderId, id, 500), 'refund_exceeds_payment'),
    )

    expect(await refundsOf(orderId, userId)).toMatchObject([
      { id, status: 'FAILED', reason: 'refund_exceeds_payment' },
    ])
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ status: 'FINISHED', refunded_amount: 0 })
    expect((await refund(orderId, userId)).statusCode).toBe(202)
  })

  it('when the same answer comes again, even under a new event id, then it is applied once', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)
    const { id } = (await refund(orderId, userId, { amount: 1 })).json()
    const answer = requested(userId, orderId, id, 100)

    await applyRefundResult(harness.pool, refundFinished(answer))
    const again = await applyRefundResult(harness.pool, refundFinished(answer))
    const contradicting = await applyRefundResult(harness.pool, refundFinished(answer, 'payment_not_found'))

    expect([again, contradicting]).toEqual(['already_settled', 'already_settled'])
    expect(await refundsOf(orderId, userId)).toMatchObject([{ status: 'SUCCEEDED' }])
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ refunded_amount: 1 })
  })

  it('when a list of refunds is asked, then they come oldest first with their status', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 5)
    const ids: string[] = []
    for (const amount of [1, 2, 0.5]) ids.push((await refund(orderId, userId, { amount })).json().id)

    const response = await get(harness, `/orders/${orderId}/refunds`, userId)

    expect(response.statusCode).toBe(200)
    expect(response.json().map((each: { id: string }) => each.id)).toEqual(ids)
    expect(await refundsOf(await givenFinishedOrder(harness, userId, 1), userId)).toEqual([])
  })
})
