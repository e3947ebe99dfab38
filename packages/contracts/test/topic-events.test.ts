import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OrdersTopicEvents, PaymentResultsTopicEvents } from '../src/events/by-topic.ts'
import { OrderCancelled } from '../src/events/order-cancelled.ts'
import { OrderCreated } from '../src/events/order-created.ts'
import { RefundFinished } from '../src/events/refund-finished.ts'
import { RefundRequested } from '../src/events/refund-requested.ts'

const order = () => ({ order_id: randomUUID(), user_id: randomUUID(), amount_minor: 500 })
const refund = () => ({ refund_id: randomUUID(), ...order() })

describe('the events of a topic', () => {
  it('when each event of the orders topic is decoded, then it comes back as itself', () => {
    for (const event of [
      OrderCreated.create(order()),
      OrderCancelled.create({ ...order(), reason: 'cancelled_by_customer' }),
      RefundRequested.create(refund()),
    ]) {
      expect(OrdersTopicEvents.decode(JSON.stringify(event))).toEqual({ ok: true, event })
    }
  })

  it('when a message has a type the topic does not carry, then decoding refuses it and names the type', () => {
    const finished = RefundFinished.create({ ...refund(), status: 'SUCCEEDED' })

    expect(OrdersTopicEvents.decode(JSON.stringify(finished))).toEqual({
      ok: false,
      error: 'unknown event type "refund_finished"',
    })
    expect(OrdersTopicEvents.decode('[]')).toMatchObject({ ok: false })
    expect(OrdersTopicEvents.decode('null')).toMatchObject({ ok: false })
    expect(OrdersTopicEvents.decode('nope')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not JSON/),
    })
  })

  it('when a known type breaks its own contract, then decoding says why', () => {
    const broken = { ...RefundRequested.create(refund()), payload: { ...refund(), amount_minor: 0 } }

    expect(OrdersTopicEvents.decode(JSON.stringify(broken))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/amount_minor/),
    })
  })

  it('when a refund failed, then it carries a known reason, and a success carries none', () => {
    expect(() =>
      RefundFinished.create({ ...refund(), status: 'FAILED', reason: 'payment_not_found' }),
    ).not.toThrow()
    expect(() => RefundFinished.create({ ...refund(), status: 'FAILED' } as never)).toThrow()
    expect(() => RefundFinished.create({ ...refund(), status: 'SUCCEEDED', reason: 'x' } as never)).toThrow()
    expect(PaymentResultsTopicEvents.types).toEqual(['payment_finished', 'refund_finished'])
  })

  it('when a cancellation has another reason than its owner, then it is refused', () => {
    expect(() => OrderCancelled.create({ ...order(), reason: 'insufficient_funds' } as never)).toThrow()
  })
})
