import { randomUUID } from 'node:crypto'
import type { PaymentFinishedPayload } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '../../../tests/support/eventually.ts'
import { statementsSent } from '../../../tests/support/statements-sent.ts'
import { ORDER_STATUS_CHANNEL } from '../src/data/order-status-channel.ts'
import { settleOrders } from '../src/domain/settle-order.ts'
import { type OrdersHarness, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness
let listener: pg.Client
const heard: { order_id: string; status: string }[] = []

beforeAll(async () => {
  harness = await startOrdersHarness()
  listener = new pg.Client({ connectionString: harness.db.url })
  await listener.connect()
  listener.on('notification', (notice) => heard.push(JSON.parse(notice.payload ?? '{}')))
  await listener.query(`LISTEN ${ORDER_STATUS_CHANNEL}`)
})
afterAll(async () => {
  await listener?.end()
  await harness?.close()
})

const paid = (orderId: string, userId: string): PaymentFinishedPayload => ({
  order_id: orderId,
  user_id: userId,
  amount_minor: 1000,
  status: 'SUCCESS',
})
const refused = (orderId: string, userId: string): PaymentFinishedPayload => ({
  ...paid(orderId, userId),
  status: 'FAIL',
  reason: 'insufficient_funds',
})

const statusOf = async (orderId: string) =>
  (await harness.pool.query('SELECT status, reason FROM orders WHERE id = $1', [orderId])).rows[0]

describe('settleOrders', () => {
  it('when a batch holds new, final, unknown and repeated results, then one statement gives each its outcome and only the settled are announced, after commit', async () => {
    const user = randomUUID()
    const [toFinish, toCancel, alreadyFinal] = [
      await harness.placeOrder(user, 10),
      await harness.placeOrder(user, 10),
      await harness.placeOrder(user, 10),
    ]
    await inTransaction(harness.pool, (tx) => settleOrders(tx, [paid(alreadyFinal, user)]))
    await eventually(
      async () => heard.length,
      (count) => count === 1,
    )
    heard.length = 0
    const unknown = randomUUID()

    let outcomes: string[] = []
    const statements = await statementsSent(harness.pool, () =>
      inTransaction(harness.pool, async (tx) => {
        outcomes = await settleOrders(tx, [
          paid(toFinish, user),
          refused(toCancel, user),
          refused(alreadyFinal, user),
          paid(unknown, user),
          refused(toFinish, user),
        ])
        expect(heard).toEqual([])
      }),
    )

    expect(outcomes).toEqual(['settled', 'settled', 'already_final', 'unknown_order', 'already_final'])
    expect(statements).toEqual(['BEGIN', expect.stringMatching(/UPDATE orders/), 'COMMIT'])
    expect(await statusOf(toFinish)).toEqual({ status: 'FINISHED', reason: null })
    expect(await statusOf(toCancel)).toEqual({ status: 'CANCELLED', reason: 'insufficient_funds' })
    expect(await statusOf(alreadyFinal)).toEqual({ status: 'FINISHED', reason: null })
    await eventually(
      async () => heard.length,
      (count) => count === 2,
    )
    expect(
      heard
        .map(({ order_id, status }) => ({ order_id, status }))
        .sort((a, b) => a.order_id.localeCompare(b.order_id)),
    ).toEqual(
      [
        { order_id: toFinish, status: 'FINISHED' },
        { order_id: toCancel, status: 'CANCELLED' },
      ].sort((a, b) => a.order_id.localeCompare(b.order_id)),
    )
  })

  it('when the transaction of a batch rolls back, then no order moves and nothing is announced', async () => {
    const user = randomUUID()
    const orderId = await harness.placeOrder(user, 10)
    heard.length = 0

    await expect(
      inTransaction(harness.pool, async (tx) => {
        await settleOrders(tx, [paid(orderId, user)])
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')

    expect(await statusOf(orderId)).toEqual({ status: 'NEW', reason: null })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(heard).toEqual([])
  })
})
