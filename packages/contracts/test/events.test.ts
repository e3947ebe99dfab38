import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { OrderCreated } from '../src/events/order-created.ts'
import { PaymentFinished } from '../src/events/payment-finished.ts'

const order = () => ({ order_id: randomUUID(), user_id: randomUUID(), amount_minor: 15000 })

describe('event contracts', () => {
  it('when an event is created, then it has a fresh id, its type and version, and round-trips', () => {
    const event = OrderCreated.create(order())
    expect(event).toMatchObject({ type: 'order_created', version: 1 })
    expect(event.event_id).not.toBe(OrderCreated.create(order()).event_id)
    expect(OrderCreated.decode(OrderCreated.encode(event))).toEqual({ ok: true, event })
  })

  it('when a payload breaks the contract, then it is refused before it reaches the wire', () => {
    expect(() => OrderCreated.create({ ...order(), amount_minor: 1.5 })).toThrow(/amount_minor/)
    expect(() => OrderCreated.create({ ...order(), order_id: 'nope' })).toThrow(/order_id/)
  })

  it.each([
    ['not JSON', 'nope'],
    ['another type', () => JSON.stringify({ ...OrderCreated.create(order()), type: 'order_paid' })],
    ['an unknown version', () => JSON.stringify({ ...OrderCreated.create(order()), version: 2 })],
    ['an extra field', () => JSON.stringify({ ...OrderCreated.create(order()), extra: true })],
    ['a bad date', () => JSON.stringify({ ...OrderCreated.create(order()), occurred_at: 'yesterday' })],
  ])('when a message is %s, then decoding says why instead of throwing', (_kind, raw) => {
    const result = OrderCreated.decode(typeof raw === 'function' ? raw() : raw)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.error).not.toHaveLength(0)
  })

  it('when a payment failed, then it must carry a known reason, and a success must not', () => {
    const base = order()
    expect(() =>
      PaymentFinished.create({ ...base, status: 'FAIL', reason: 'insufficient_funds' }),
    ).not.toThrow()
    expect(() => PaymentFinished.create({ ...base, status: 'SUCCESS' })).not.toThrow()
    expect(() => PaymentFinished.create({ ...base, status: 'FAIL' } as never)).toThrow()
    expect(() => PaymentFinished.create({ ...base, status: 'FAIL', reason: 'bored' } as never)).toThrow()
    expect(() => PaymentFinished.create({ ...base, status: 'SUCCESS', reason: 'x' } as never)).toThrow()
  })
})
