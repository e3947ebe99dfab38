import { describe, expect, it } from 'vitest'
import { canMoveOrder, isFinalStatus, ORDER_TRANSITIONS, sourcesOf } from '../src/order-state-machine.ts'
import type { OrderStatusName } from '../src/order-status.ts'

const STATUSES = Object.keys(ORDER_TRANSITIONS) as OrderStatusName[]
const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const))

describe('the order state machine', () => {
  it('when every pair of statuses is asked, then only NEW → FINISHED | CANCELLED and FINISHED → REFUNDED are moves', () => {
    const moves = pairs.filter(([from, to]) => canMoveOrder(from, to)).map(([from, to]) => `${from}→${to}`)

    expect(moves.sort()).toEqual(['FINISHED→REFUNDED', 'NEW→CANCELLED', 'NEW→FINISHED'])
  })

  it('when a status is final, then it never moves again, and nothing moves back to NEW', () => {
    expect(STATUSES.filter(isFinalStatus).sort()).toEqual(['CANCELLED', 'REFUNDED'])
    for (const from of STATUSES) expect(canMoveOrder(from, 'NEW')).toBe(false)
    for (const status of STATUSES) expect(canMoveOrder(status, status)).toBe(false)
  })

  it('when the sources of a status are asked, then they are the statuses that may move to it', () => {
    expect(sourcesOf('FINISHED')).toEqual(['NEW'])
    expect(sourcesOf('CANCELLED')).toEqual(['NEW'])
    expect(sourcesOf('REFUNDED')).toEqual(['FINISHED'])
    expect(sourcesOf('NEW')).toEqual([])
  })
})
