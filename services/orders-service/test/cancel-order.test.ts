import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem } from '../../../tests/support/problem.ts'
import { givenFinishedOrder, orderEventsInOutbox, post, settlePayment } from './support/order-steps.ts'
import { countRows, type OrdersHarness, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness

beforeAll(async () => {
  harness = await startOrdersHarness()
})

afterAll(async () => {
  await harness?.close()
})

const cancel = (orderId: string, userId: string, body?: unknown, headers = {}) =>
  post(harness, `/orders/${orderId}/cancel`, userId, body, headers)

describe('POST /orders/{order_id}/cancel', () => {
  it('when the order is NEW, then it is CANCELLED by its owner at once and order_cancelled goes to the outbox', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 12.5)

    const response = await cancel(orderId, userId)

    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({
      id: orderId,
      status: 'CANCELLED',
      reason: 'cancelled_by_customer',
      refunded_amount: 0,
    })
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ status: 'CANCELLED' })
    const events = await orderEventsInOutbox(harness.pool, orderId)
    expect(events.map((event) => event.type)).toEqual(['order_created', 'order_cancelled'])
    expect(events[1]).toMatchObject({
      topic: harness.ordersTopic,
      payload: { order_id: orderId, user_id: userId, amount_minor: 1250, reason: 'cancelled_by_customer' },
    })
  })

  it('when the body is {}, then it is taken as no body', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 1)

    expect((await cancel(orderId, userId, {})).json()).toMatchObject({ status: 'CANCELLED' })
  })

  it('when the order is already CANCELLED, by its owner or for lack of funds, then 200 with the order and nothing changes', async () => {
    const userId = randomUUID()
    const byOwner = await harness.placeOrder(userId, 1)
    await cancel(byOwner, userId)
    const unpaid = await harness.placeOrder(userId, 2)
    await settlePayment(harness.pool, { orderId: unpaid, userId, amountMinor: 200 }, 'insufficient_funds')
    const before = await countRows(harness.pool)

    const again = await cancel(byOwner, userId)
    const ofUnpaid = await cancel(unpaid, userId)

    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ status: 'CANCELLED', reason: 'cancelled_by_customer' })
    expect(ofUnpaid.statusCode).toBe(200)
    expect(ofUnpaid.json()).toMatchObject({ status: 'CANCELLED', reason: 'insufficient_funds' })
    expect(await countRows(harness.pool)).toEqual(before)
  })

  it('when the order is FINISHED, then 409 order_not_cancellable and nothing changes', async () => {
    const userId = randomUUID()
    const orderId = await givenFinishedOrder(harness, userId, 3)
    const before = await countRows(harness.pool)

    expectProblem(await cancel(orderId, userId), 409, 'order_not_cancellable')
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ status: 'FINISHED' })
    expect(await countRows(harness.pool)).toEqual(before)
  })

  it('when the order is another user’s or unknown, then 404 order_not_found and nothing changes', async () => {
    const orderId = await harness.placeOrder(randomUUID(), 1)
    const before = await countRows(harness.pool)

    expectProblem(await cancel(orderId, randomUUID()), 404, 'order_not_found')
    expectProblem(await cancel(randomUUID(), randomUUID()), 404, 'order_not_found')
    expect(await countRows(harness.pool)).toEqual(before)
  })

  it('when the body is not {} or the id not a UUID, then 422 or 400 and nothing changes', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 1)

    expectProblem(await cancel(orderId, userId, { reason: 'changed my mind' }), 422, 'validation_failed')
    expectProblem(await cancel('not-a-uuid', userId), 400, 'invalid_path_parameter')
    expectProblem(
      await harness.app.inject({ method: 'POST', url: `/orders/${orderId}/cancel` }),
      400,
      'missing_user_id',
    )
    expect(await harness.viewOrder(orderId, userId)).toMatchObject({ status: 'NEW' })
  })

  it('when the request is repeated with its Idempotency-Key, then the first answer is replayed', async () => {
    const userId = randomUUID()
    const orderId = await harness.placeOrder(userId, 1)
    const key = { 'idempotency-key': randomUUID() }

    const first = await cancel(orderId, userId, undefined, key)
    const second = await cancel(orderId, userId, undefined, key)

    expect(second.statusCode).toBe(200)
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(second.json()).toEqual(first.json())
    expect((await orderEventsInOutbox(harness.pool, orderId)).map((event) => event.type)).toEqual([
      'order_created',
      'order_cancelled',
    ])
  })

  it('when the cancellation races the payment result, then exactly one wins and the other changes nothing', async () => {
    for (let round = 0; round < 10; round += 1) {
      const userId = randomUUID()
      const orderId = await harness.placeOrder(userId, 4)

      const [cancelled, paid] = await Promise.all([
        cancel(orderId, userId),
        settlePayment(harness.pool, { orderId, userId, amountMinor: 400 }),
      ])

      const order = await harness.viewOrder(orderId, userId)
      const types = (await orderEventsInOutbox(harness.pool, orderId)).map((event) => event.type)
      if (cancelled.statusCode === 200) {
        expect(paid).toBe('already_final')
        expect(order).toMatchObject({ status: 'CANCELLED', reason: 'cancelled_by_customer' })
        expect(types).toEqual(['order_created', 'order_cancelled'])
      } else {
        expectProblem(cancelled, 409, 'order_not_cancellable')
        expect(paid).toBe('settled')
        expect(order).toMatchObject({ status: 'FINISHED' })
        expect(types).toEqual(['order_created'])
      }
    }
  })
})
