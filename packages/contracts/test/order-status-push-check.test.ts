import { readFileSync } from 'node:fs'
import { Compile } from 'typebox/compile'
import { describe, expect, it } from 'vitest'
import { OrderStatusPushAsRead } from '../src/live/order-status-messages.ts'
import { checkOrderStatusPushAsRead } from '../src/live/order-status-push-check.generated.ts'
import {
  ORDER_STATUS_PUSH_CHECK_FILE,
  renderOrderStatusPushCheck,
} from '../src/live/write-order-status-push-check.ts'

const push = { type: 'order_status', order_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', status: 'CANCELLED' }

describe("the storefront's compiled check of a status push", () => {
  it('when the schema is compiled again, then the committed module is what TypeBox writes now', () => {
    expect(readFileSync(ORDER_STATUS_PUSH_CHECK_FILE, 'utf8')).toBe(renderOrderStatusPushCheck())
  })

  it.each([
    ['a push', push],
    ['a push with a reason', { ...push, reason: 'insufficient_funds' }],
    ['a push with a field of a later version', { ...push, extra: 1 }],
    ['a push with an unknown status', { ...push, status: 'LOST' }],
    ['a push with a reason that is not text', { ...push, reason: 5 }],
    ['a push without an order id', { type: 'order_status', status: 'FINISHED' }],
    ['another kind of message', { type: 'hello' }],
    ['null', null],
    ['an array', [push]],
  ])('when it checks %s, then it agrees with the schema compiled at run time', (_case, value) => {
    expect(checkOrderStatusPushAsRead(value)).toBe(Compile(OrderStatusPushAsRead).Check(value))
  })
})
