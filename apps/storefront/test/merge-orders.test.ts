import { describe, expect, it } from 'vitest'
import { laterView, mergeOrders, unclaimedPushes, withPushedStatus } from '../src/state/merge-orders.ts'
import { anOrder, pushFor } from './orders.fixture.ts'

describe('merging views of orders', () => {
  it('when one view is final and the other NEW, then the final one wins, whichever came last', () => {
    const order = anOrder()
    const finished = { ...order, status: 'FINISHED' as const }
    expect(laterView(finished, order)).toBe(finished)
    expect(laterView(order, finished)).toBe(finished)
  })

  it('when both views are at the same stage, then the incoming one (the server’s latest) wins', () => {
    const order = anOrder()
    const renamed = { ...order, description: 'renamed' }
    expect(laterView(order, renamed)).toBe(renamed)
  })

  it('when a status is pushed onto a final order, then the order is left as it is', () => {
    const cancelled = anOrder({ status: 'CANCELLED', reason: 'insufficient_funds' })
    expect(withPushedStatus(cancelled, pushFor(cancelled, 'FINISHED'))).toBe(cancelled)
  })

  it('when a FINISHED push lands on a NEW order, then no reason is attached', () => {
    const order = anOrder()
    expect(withPushedStatus(order, pushFor(order, 'FINISHED'))).not.toHaveProperty('reason')
  })

  it('when two orders were created in the same instant, then the order is by id descending, as the API’s', () => {
    const created_at = '2025-01-01T00:00:00.000Z'
    const a = anOrder({ id: '00000000-0000-4000-8000-00000000000a', created_at })
    const b = anOrder({ id: '00000000-0000-4000-8000-00000000000b', created_at })
    expect(mergeOrders([], [a, b], {}).map((order) => order.id)).toEqual([b.id, a.id])
  })

  it('when some early pushes find their orders, then only the others stay waiting', () => {
    const [arrived, notYet] = [anOrder(), anOrder()]
    const early = { [arrived.id]: pushFor(arrived, 'FINISHED'), [notYet.id]: pushFor(notYet, 'FINISHED') }
    expect(Object.keys(unclaimedPushes(early, [arrived]))).toEqual([notYet.id])
  })

  it('when a FINISHED order is pushed REFUNDED, then it moves on; a list read from before cannot move it back', () => {
    const finished = anOrder({ status: 'FINISHED' })
    const refunded = withPushedStatus(finished, pushFor(finished, 'REFUNDED'))

    expect(refunded.status).toBe('REFUNDED')
    expect(laterView(refunded, { ...finished, refunded_amount: 4 })).toBe(refunded)
    expect(withPushedStatus(refunded, pushFor(refunded, 'FINISHED'))).toBe(refunded)
  })

  it('when a NEW order is seen REFUNDED (its FINISHED push was missed), then REFUNDED wins', () => {
    const order = anOrder()
    const refunded = { ...order, status: 'REFUNDED' as const, refunded_amount: 10 }

    expect(laterView(order, refunded)).toBe(refunded)
    expect(withPushedStatus(order, pushFor(order, 'REFUNDED')).status).toBe('REFUNDED')
  })

  it('when a customer-cancelled order is pushed FINISHED (a payment result that lost the race), then it stays CANCELLED', () => {
    const cancelled = anOrder({ status: 'CANCELLED', reason: 'cancelled_by_customer' })
    expect(withPushedStatus(cancelled, pushFor(cancelled, 'FINISHED'))).toBe(cancelled)
  })
})
