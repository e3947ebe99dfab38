import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { holdTransaction } from '../../../tests/support/held-transaction.ts'
import {
  handshake,
  MALFORMED_HANDSHAKES,
  refusedUpgrade,
  spoiledHandshake,
} from '../../../tests/support/websocket.ts'
import { settleOrder } from '../src/domain/settle-order.ts'
import { type LiveOrdersInstance, settle, startLiveOrdersInstance } from './support/live-orders.ts'
import { applyRefundResult, post, refundFinished } from './support/order-steps.ts'
import { type OrdersHarness, startOrdersHarness } from './support/orders-harness.ts'

let harness: OrdersHarness
// Two instances of orders-service on one database, as behind a load balancer.
let first: LiveOrdersInstance
let second: LiveOrdersInstance

beforeAll(async () => {
  harness = await startOrdersHarness()
  first = await startLiveOrdersInstance(harness.pool, harness.db.url, harness.ordersTopic)
  second = await startLiveOrdersInstance(harness.pool, harness.db.url, harness.ordersTopic)
})

afterAll(async () => {
  await first?.app.close()
  await second?.app.close()
  await harness?.close()
})

const finished = (orderId: string) => ({ type: 'order_status', order_id: orderId, status: 'FINISHED' })

describe('live order status (GET /live/orders, a WebSocket)', () => {
  it('when an order is settled, then its owner is pushed the status when the transaction commits, not before', async () => {
    const owner = randomUUID()
    const socket = await first.subscribe(owner)
    const [held, other] = [await harness.placeOrder(owner, 10), await harness.placeOrder(owner, 10)]

    const holding = await holdTransaction(harness.pool)
    await settleOrder(holding.tx, { order_id: held, user_id: owner, amount_minor: 1000, status: 'SUCCESS' })
    // Notifications arrive in commit order: once this later commit is heard, the held one would have been.
    await settle(harness.pool, other, owner, { status: 'SUCCESS' })
    expect(await socket.nextMessage()).toEqual(finished(other))
    await holding.commit()

    expect(await socket.nextMessage()).toEqual(finished(held))
    await socket.close()
  })

  it('when an order is cancelled, then the push carries the reason', async () => {
    const owner = randomUUID()
    const socket = await first.subscribe(owner)
    const orderId = await harness.placeOrder(owner, 10)

    await settle(harness.pool, orderId, owner, { status: 'FAIL', reason: 'insufficient_funds' })

    expect(await socket.nextMessage()).toEqual({
      type: 'order_status',
      order_id: orderId,
      status: 'CANCELLED',
      reason: 'insufficient_funds',
    })
    await socket.close()
  })

  it('when the owner cancels an order, and when refunds of a paid one settle, then each is pushed, REFUNDED last', async () => {
    const owner = randomUUID()
    const socket = await first.subscribe(owner)
    const cancelled = await harness.placeOrder(owner, 10)
    const paid = await harness.placeOrder(owner, 10)

    await post(harness, `/orders/${cancelled}/cancel`, owner)
    expect(await socket.nextMessage()).toEqual({
      type: 'order_status',
      order_id: cancelled,
      status: 'CANCELLED',
      reason: 'cancelled_by_customer',
    })
    await settle(harness.pool, paid, owner, { status: 'SUCCESS' })
    expect(await socket.nextMessage()).toEqual(finished(paid))
    const part = (await post(harness, `/orders/${paid}/refunds`, owner, { amount: 4 })).json()
    const rest = (await post(harness, `/orders/${paid}/refunds`, owner)).json()
    const refund = { order_id: paid, user_id: owner }

    await applyRefundResult(
      harness.pool,
      refundFinished({ ...refund, refund_id: part.id, amount_minor: 400 }),
    )
    expect(await socket.nextMessage()).toEqual(finished(paid))
    await applyRefundResult(
      harness.pool,
      refundFinished({ ...refund, refund_id: rest.id, amount_minor: 600 }),
    )
    expect(await socket.nextMessage()).toEqual({ type: 'order_status', order_id: paid, status: 'REFUNDED' })
    await socket.close()
  })

  it('when another user’s order is settled, then the socket is pushed nothing of it', async () => {
    const [owner, stranger] = [randomUUID(), randomUUID()]
    const ownerSocket = await first.subscribe(owner)
    const strangerSocket = await first.subscribe(stranger)
    const [ownersOrder, strangersOrder] = [
      await harness.placeOrder(owner, 10),
      await harness.placeOrder(stranger, 10),
    ]

    await settle(harness.pool, ownersOrder, owner, { status: 'SUCCESS' })
    expect(await ownerSocket.nextMessage()).toEqual(finished(ownersOrder))
    // In commit order, the stranger's first push is its own later order: the owner's never came.
    await settle(harness.pool, strangersOrder, stranger, { status: 'SUCCESS' })

    expect(await strangerSocket.nextMessage()).toEqual(finished(strangersOrder))
    expect(strangerSocket.messages).toHaveLength(1)
    expect(ownerSocket.messages).toHaveLength(1)
    await Promise.all([ownerSocket.close(), strangerSocket.close()])
  })

  it('when a result repeats for a final order or a settlement rolls back, then nothing is pushed', async () => {
    const owner = randomUUID()
    const socket = await first.subscribe(owner)
    const [repeated, rolledBack, marker] = [
      await harness.placeOrder(owner, 10),
      await harness.placeOrder(owner, 10),
      await harness.placeOrder(owner, 10),
    ]
    await settle(harness.pool, repeated, owner, { status: 'SUCCESS' })
    expect(await socket.nextMessage()).toEqual(finished(repeated))

    await settle(harness.pool, repeated, owner, { status: 'FAIL', reason: 'insufficient_funds' })
    const holding = await holdTransaction(harness.pool)
    await settleOrder(holding.tx, {
      order_id: rolledBack,
      user_id: owner,
      amount_minor: 1000,
      status: 'SUCCESS',
    })
    await holding.rollback()
    await settle(harness.pool, marker, owner, { status: 'SUCCESS' })

    expect(await socket.nextMessage()).toEqual(finished(marker))
    expect(socket.messages).toHaveLength(2)
    await socket.close()
  })

  it('when several instances run, then a client of any of them hears a settlement committed through another', async () => {
    const owner = randomUUID()
    const onFirst = await first.subscribe(owner)
    const onSecond = await second.subscribe(owner)
    const orderId = await harness.placeOrder(owner, 10)

    await settle(harness.pool, orderId, owner, { status: 'SUCCESS' })

    expect(await onSecond.nextMessage()).toEqual(finished(orderId))
    expect(await onFirst.nextMessage()).toEqual(finished(orderId))
    await Promise.all([onFirst.close(), onSecond.close()])
  })

  it('when the user id is given in upper case, then it is the same user', async () => {
    const owner = randomUUID()
    const socket = await first.subscribe(owner.toUpperCase())
    const orderId = await harness.placeOrder(owner, 10)

    await settle(harness.pool, orderId, owner, { status: 'SUCCESS' })

    expect(await socket.nextMessage()).toEqual(finished(orderId))
    await socket.close()
  })

  it.each([
    ['no user_id', '', 'missing_user_id'],
    ['an empty user_id', '?user_id=', 'invalid_user_id'],
    ['a user_id that is not a UUID', '?user_id=alice', 'invalid_user_id'],
    ['a UUID with a tail', `?user_id=${randomUUID()}0`, 'invalid_user_id'],
    ['two user_id', `?user_id=${randomUUID()}&user_id=${randomUUID()}`, 'invalid_user_id'],
  ])(
    'when the upgrade has %s, then it is refused with 400 before any socket opens',
    async (_case, query, code) => {
      const refused = await refusedUpgrade(first.liveUrl(query))

      expect(refused.status).toBe(400)
      expect(refused.body).toMatchObject({ status: 400, code })
    },
  )

  it.each(MALFORMED_HANDSHAKES)(
    'when the handshake has %s, then problem JSON with a status and code, not the library’s HTML',
    async (_case, spoiled, status, code) => {
      // Past the moment after start when the feed refuses everyone with 503.
      await (await first.subscribe(randomUUID())).close()
      const url = first.liveUrl('').replace(/^ws/, 'http')

      const answer = await handshake(url, `/live/orders?user_id=${randomUUID()}`, spoiledHandshake(spoiled))

      expect(answer.status).toBe(status)
      expect(answer.headers['content-type']).toBe('application/problem+json')
      expect(JSON.parse(answer.body)).toMatchObject({ status, code })
      if (status === 426) expect(answer.headers['sec-websocket-version']).toBe('13, 8')
    },
  )

  it('when the route is asked without an upgrade, then 426 says it is a WebSocket', async () => {
    const response = await first.app.inject({ method: 'GET', url: `/live/orders?user_id=${randomUUID()}` })

    expect(response.statusCode).toBe(426)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ code: 'upgrade_required' })
  })

  it('when the instance shuts down, then its sockets are closed with "going away", so clients come back', async () => {
    const third = await startLiveOrdersInstance(harness.pool, harness.db.url, harness.ordersTopic)
    const socket = await third.subscribe(randomUUID())

    await third.app.close()

    expect((await socket.closed).code).toBe(1001)
  })

  // Last: it interrupts the other instances' feeds too.
  it('when the LISTEN connection drops, then sockets are closed to reconnect, refused until it is back, then served', async () => {
    const owner = randomUUID()
    const socket = await first.subscribe(owner)

    await harness.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN "order_status"'`,
    )

    expect(await socket.closed).toEqual({ code: 1013, reason: 'live status interrupted; reconnect' })
    const refused = await refusedUpgrade(first.liveUrl(`?user_id=${owner}`))
    expect(refused).toMatchObject({ status: 503, body: { code: 'live_status_unavailable' } })
    // Back after the listener reconnected: a change committed now is pushed again.
    const again = await first.subscribe(owner)
    const orderId = await harness.placeOrder(owner, 10)
    await settle(harness.pool, orderId, owner, { status: 'SUCCESS' })
    expect(await again.nextMessage()).toEqual(finished(orderId))
    await again.close()
  })
})
