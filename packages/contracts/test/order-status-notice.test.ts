import { describe, expect, it } from 'vitest'
import { readOrderStatusNotice } from '../src/live/order-status-messages.ts'
import { toOrderStatusPush } from '../src/live/order-status-push.ts'

const notice = {
  order_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  user_id: '0b9e2c1a-1f3d-4c55-9e1b-2f6a0e6c7d11',
  status: 'CANCELLED',
  reason: 'insufficient_funds',
}

describe('order status notices', () => {
  it('when a notice is well formed, then it is read, and pushed without the user id', () => {
    const parsed = readOrderStatusNotice(JSON.stringify(notice))

    expect(parsed).toEqual(notice)
    expect(parsed && toOrderStatusPush(parsed)).toEqual({
      type: 'order_status',
      order_id: notice.order_id,
      status: 'CANCELLED',
      reason: 'insufficient_funds',
    })
  })

  it('when an order is FINISHED (reason null), then the push has no reason at all', () => {
    const parsed = readOrderStatusNotice(JSON.stringify({ ...notice, status: 'FINISHED', reason: null }))

    expect(parsed && toOrderStatusPush(parsed)).not.toHaveProperty('reason')
  })

  it.each([
    ['not JSON', '{"order_id":'],
    ['null', 'null'],
    ['without a user', JSON.stringify({ ...notice, user_id: undefined })],
    ['with an unknown status', JSON.stringify({ ...notice, status: 'LOST' })],
    ['with a reason that is not text', JSON.stringify({ ...notice, reason: 7 })],
  ])('when a notice is %s, then it is refused', (_case, payload) => {
    expect(readOrderStatusNotice(payload)).toBeUndefined()
  })
})
