import type { Order, StatusPush } from '../src/domain/order.ts'

export const USER = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
export const OTHER_USER = '0b9e2c1a-1f3d-4c55-9e1b-2f6a0e6c7d11'

let sequence = 0

/** A NEW order of USER, each one created a second after the previous. */
export function anOrder(overrides: Partial<Order> = {}): Order {
  sequence += 1
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    user_id: USER,
    amount: 10,
    description: `order ${sequence}`,
    status: 'NEW',
    refunded_amount: 0,
    created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence)).toISOString(),
    ...overrides,
  }
}

export const pushFor = (order: Order, status: StatusPush['status'], reason?: string): StatusPush => ({
  type: 'order_status',
  order_id: order.id,
  status,
  ...(reason ? { reason } : {}),
})
