import { randomUUID } from 'node:crypto'
import { OrderCreated } from '@shop/contracts'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTransport } from '../../packages/platform/src/transport/create-transport.ts'
import { waitUntilFinal } from '../../scripts/lib/settle-waiter.ts'
import { type OrderBody, type ShopClient, shopClient } from '../../scripts/lib/shop-client.ts'
import { eventually } from '../support/eventually.ts'
import { testLogger } from '../support/logger.ts'
import { type RunningShop, startShop } from '../support/shop.ts'

/**
 * The flows every transport must carry, run against the whole system: three service processes
 * with their own databases and the gateway in front. `env` picks the transport.
 */
export function describeShopEndToEnd(transport: string, env: () => Record<string, string>): void {
  describe(`the shop on the ${transport} transport, end to end through the gateway`, () => {
    let shop: RunningShop
    let api: ShopClient

    beforeAll(async () => {
      shop = await startShop(env())
      api = shopClient(shop.gateway)
    })
    afterAll(async () => {
      await shop?.stop()
    })

    /** Waits for the order to leave NEW and returns it with how long that took. */
    const settled = async (userId: string, orderId: string) => {
      const started = Date.now()
      const response = await waitUntilFinal(api, userId, orderId)
      return { order: response.body, settleMs: Date.now() - started }
    }

    it('when the seed flow runs (account 200, order 150), then the order is FINISHED and the balance 50', async () => {
      const user = api.newUser()
      expect(await api.openAccount(user, 200)).toMatchObject({
        status: 201,
        body: { user_id: user, balance: 200 },
      })
      const placed = await api.placeOrder(user, 150, 'a kettle')
      expect(placed).toMatchObject({
        status: 201,
        body: { user_id: user, amount: 150, description: 'a kettle', status: 'NEW' },
      })
      const { order, settleMs } = await settled(user, placed.body.id)
      expect(order).toMatchObject({ id: placed.body.id, status: 'FINISHED' })
      expect(order.reason).toBeUndefined()
      expect((await api.balance(user)).body).toEqual({ user_id: user, balance: 50 })
      console.log(`${transport} seed flow: order settled ${settleMs} ms after it was accepted`)
    })

    it('when a paid order is refunded in two parts, then each refund is credited once, the order ends REFUNDED and the statement shows it', async () => {
      const user = api.newUser()
      await api.openAccount(user, 100)
      const placed = await api.placeOrder(user, 30)
      expect((await settled(user, placed.body.id)).order.status).toBe('FINISHED')

      const part = await api.refund(user, placed.body.id, 10)
      expect(part).toMatchObject({ status: 202, body: { amount: 10, status: 'PENDING' } })
      expect((await api.refund(user, placed.body.id, 20.01)).body).toMatchObject({
        code: 'refund_exceeds_order',
      })
      expect((await api.refund(user, placed.body.id)).body).toMatchObject({ amount: 20, status: 'PENDING' })
      const refunds = await eventually(
        () => api.refunds(user, placed.body.id),
        (listed) => listed.body?.every((refund: { status: string }) => refund.status === 'SUCCEEDED'),
      )
      expect(refunds.body.map((refund: { amount: number }) => refund.amount)).toEqual([10, 20])
      const order = await eventually(
        () => api.getOrder(user, placed.body.id),
        (read) => read.body?.status === 'REFUNDED',
      )
      expect(order.body.refunded_amount).toBe(30)
      expect((await api.balance(user)).body.balance).toBe(100)
      const statement = (await api.statement(user)).body
      expect(
        statement.entries.map((entry: { kind: string; amount: number }) => [entry.kind, entry.amount]),
      ).toEqual([
        ['refund', 20],
        ['refund', 10],
        ['charge', -30],
        ['opening', 100],
      ])
      expect(statement.entries[0]?.balance_after).toBe(100)
    })

    it('when the owner cancels an order the moment it is placed, then it is CANCELLED and whatever was charged comes back', async () => {
      const user = api.newUser()
      await api.openAccount(user, 50)
      const placed = await api.placeOrder(user, 20)

      const cancelled = await api.cancelOrder(user, placed.body.id)

      // Paid first (409) or cancelled first (200): either way no money is kept for a cancelled order.
      if (cancelled.status === 409) {
        expect(cancelled.body).toMatchObject({ code: 'order_not_cancellable' })
        return
      }
      expect(cancelled).toMatchObject({
        status: 200,
        body: { status: 'CANCELLED', reason: 'cancelled_by_customer' },
      })
      // payments-service sees order_created, then order_cancelled: charged (or not), then given back.
      const statement = await eventually(
        () => api.statement(user),
        (read) => read.body?.entries?.[0]?.kind !== 'charge' && read.body?.entries?.length !== 1,
      )
      expect(statement.body.entries.map((entry: { kind: string }) => entry.kind)).toEqual([
        'refund',
        'charge',
        'opening',
      ])
      expect((await api.balance(user)).body.balance).toBe(50)
      expect((await api.getOrder(user, placed.body.id)).body.status).toBe('CANCELLED')
    })

    it('when an account is opened twice, then the second answer is 409 account_exists', async () => {
      const user = api.newUser()
      expect((await api.openAccount(user)).status).toBe(201)
      const again = await api.openAccount(user, 10)
      expect(again).toMatchObject({ status: 409, body: { code: 'account_exists' } })
      expect(again.contentType).toContain('application/problem+json')
      expect((await api.balance(user)).body.balance).toBe(0)
    })

    it('when an order exceeds the balance, then it is CANCELLED for insufficient funds and nothing is taken', async () => {
      const user = api.newUser()
      await api.openAccount(user, 100)
      const placed = await api.placeOrder(user, 100.01)
      const { order } = await settled(user, placed.body.id)
      expect(order).toMatchObject({ status: 'CANCELLED', reason: 'insufficient_funds' })
      expect((await api.balance(user)).body.balance).toBe(100)
    })

    it('when a user without an account orders, then the order is CANCELLED with account_not_found', async () => {
      const user = api.newUser()
      const placed = await api.placeOrder(user, 5)
      const { order } = await settled(user, placed.body.id)
      expect(order).toMatchObject({ status: 'CANCELLED', reason: 'account_not_found' })
      expect((await api.balance(user)).status).toBe(404)
    })

    it('when five orders of 100 race on a balance of 100, then exactly one is FINISHED', async () => {
      const user = api.newUser()
      await api.openAccount(user, 100)
      const placed = await Promise.all(Array.from({ length: 5 }, () => api.placeOrder(user, 100)))
      expect(placed.map((response) => response.status)).toEqual([201, 201, 201, 201, 201])
      const outcomes = await Promise.all(placed.map((response) => settled(user, response.body.id)))
      const statuses = outcomes.map(({ order }) => order.status)
      expect(statuses.filter((status) => status === 'FINISHED')).toHaveLength(1)
      expect(statuses.filter((status) => status === 'CANCELLED')).toHaveLength(4)
      expect((await api.balance(user)).body.balance).toBe(0)
    })

    it('when order_created is delivered again, under its own id or a new one, then nothing more is charged', async () => {
      const user = api.newUser()
      await api.openAccount(user, 300)
      const placed = await api.placeOrder(user, 100)
      await settled(user, placed.body.id)
      expect((await api.balance(user)).body.balance).toBe(200)

      const orders = new pg.Client({ connectionString: shop.databases.orders.url })
      const payments = new pg.Client({ connectionString: shop.databases.payments.url })
      await Promise.all([orders.connect(), payments.connect()])
      const transport = await createTransport(
        { DATABASE_URL: shop.databases.broker.url, ...shop.env, TOPIC_PARTITIONS: 3 },
        'e2e-replayer',
        testLogger,
      )
      try {
        const { rows } = await orders.query('SELECT topic, value FROM orders.outbox WHERE message_key = $1', [
          placed.body.id,
        ])
        expect(rows).toHaveLength(1)
        const original = OrderCreated.decode(rows[0].value)
        if (!original.ok) throw new Error(original.error)
        const copy = { ...original.event, event_id: randomUUID() }
        await transport.publish(rows[0].topic, [
          { key: placed.body.id, value: rows[0].value },
          { key: placed.body.id, value: OrderCreated.encode(copy) },
        ])
        // The copy under a new id passes the inbox; once it is recorded both deliveries were handled.
        await eventually(
          async () =>
            (await payments.query('SELECT 1 FROM payments.inbox WHERE message_id = $1', [copy.event_id]))
              .rowCount,
          (count) => count === 1,
        )
        const charges = await payments.query(
          'SELECT count(*)::int AS n FROM payments.payments WHERE order_id = $1',
          [placed.body.id],
        )
        expect(charges.rows[0].n).toBe(1)
        expect((await api.balance(user)).body.balance).toBe(200)
        expect((await api.getOrder(user, placed.body.id)).body.status).toBe('FINISHED')
      } finally {
        await transport.close()
        await Promise.all([orders.end(), payments.end()])
      }
    })

    it('when a client times out and retries POST /orders with its Idempotency-Key, then one order exists', async () => {
      const user = api.newUser()
      await api.openAccount(user, 100)
      const key = randomUUID()
      const send = (timeoutMs: number) =>
        fetch(`${shop.gateway}/orders`, {
          method: 'POST',
          headers: { 'x-user-id': user, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ amount: 25 }),
          signal: AbortSignal.timeout(timeoutMs),
        })
      // The first attempt gives up almost at once, as a client on a bad network would; it may or may
      // not have reached orders-service.
      await send(1).catch(() => undefined)
      const retries = await Promise.all([send(5_000), send(5_000), send(5_000)])
      const final = await eventually(
        () => send(5_000),
        (response) => response.status === 201,
      )
      expect(retries.every((response) => response.status === 201 || response.status === 409)).toBe(true)
      expect(final.headers.get('idempotent-replayed')).toBe('true')
      const orders = (await api.listOrders(user)).body
      expect(orders).toHaveLength(1)
      const [order] = orders as [OrderBody]
      expect(((await final.json()) as { id: string }).id).toBe(order.id)
      await settled(user, order.id)
      expect((await api.balance(user)).body.balance).toBe(75)
    })

    it('when another user asks for an order, then it is 404 and absent from their list', async () => {
      const owner = api.newUser()
      const stranger = api.newUser()
      await api.openAccount(owner, 50)
      const placed = await api.placeOrder(owner, 10)
      expect(await api.getOrder(stranger, placed.body.id)).toMatchObject({
        status: 404,
        body: { code: 'order_not_found' },
      })
      expect((await api.listOrders(stranger)).body).toEqual([])
      const mine = await api.listOrders(owner)
      expect(mine.body.map((order: { id: string }) => order.id)).toEqual([placed.body.id])
    })

    it('when a user lists orders, then they come newest first', async () => {
      const user = api.newUser()
      await api.openAccount(user, 1000)
      const ids: string[] = []
      for (const amount of [1, 2, 3]) ids.push((await api.placeOrder(user, amount)).body.id)
      const listed = await api.listOrders(user)
      expect(listed.body.map((order: { id: string }) => order.id)).toEqual(ids.reverse())
    })

    it('when X-User-Id is missing or malformed, then the gateway answers 400 problem JSON', async () => {
      expect(await api.call('GET', '/orders', undefined)).toMatchObject({
        status: 400,
        body: { code: 'missing_user_id' },
      })
      const malformed = await api.call('GET', '/accounts/balance', 'not-a-uuid')
      expect(malformed).toMatchObject({ status: 400, body: { code: 'invalid_user_id' } })
      expect(malformed.contentType).toContain('application/problem+json')
    })

    it('when a request carries a traceparent, then its trace id follows the order through every service', async () => {
      const user = api.newUser()
      await api.openAccount(user, 10)
      const traceId = randomUUID().replaceAll('-', '')
      const response = await fetch(`${shop.gateway}/orders`, {
        method: 'POST',
        headers: {
          'x-user-id': user,
          'content-type': 'application/json',
          traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
          'x-request-id': 'trace-test-request',
        },
        body: JSON.stringify({ amount: 1 }),
      })
      expect(response.headers.get('x-request-id')).toBe('trace-test-request')
      const placed = (await response.json()) as { id: string }
      await settled(user, placed.id)
      const tracedIn = (service: string) =>
        (shop.logs.get(service) ?? []).filter((line) => line.trace_id === traceId).map((line) => line.msg)
      await eventually(
        async () => tracedIn('orders-service'),
        (messages) => messages.includes('payment result applied'),
      )
      expect(tracedIn('api-gateway')).toContain('request completed')
      expect(tracedIn('orders-service')).toContain('order placed')
      expect(tracedIn('payments-service')).toContain('order paid')
      const paid = (shop.logs.get('payments-service') ?? []).find(
        (line) => line.msg === 'order paid' && line.trace_id === traceId,
      )
      expect(paid).toMatchObject({ order_id: placed.id, status: 'SUCCESS' })
      const placedLine = (shop.logs.get('orders-service') ?? []).find(
        (line) => line.msg === 'order placed' && line.trace_id === traceId,
      )
      expect(placedLine).toMatchObject({ user_id: user, order_id: placed.id, reqId: 'trace-test-request' })
    })

    it('when operators scrape each service’s metrics listener, then latency, outbox, consumer and lag figures are there', async () => {
      const user = api.newUser()
      await api.openAccount(user, 10)
      const placed = await api.placeOrder(user, 1)
      await settled(user, placed.body.id)
      for (const name of ['orders-service', 'payments-service'] as const) {
        const response = await fetch(`${shop.services.get(name)?.metricsUrl}/metrics`)
        expect(response.status).toBe(200)
        expect(response.headers.get('content-type')).toContain('text/plain')
        const text = await response.text()
        expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/(orders|accounts)/)
        expect(text).toMatch(/outbox_backlog_messages\{service="[a-z-]+"\} \d+/)
        expect(text).toMatch(/outbox_oldest_unpublished_age_seconds/)
        expect(text).toMatch(/messages_consumed_total\{[^}]*outcome="handled"[^}]*\} [1-9]/)
        expect(text).toMatch(/consumer_lag_messages\{[^}]*topic="[^"]+"[^}]*\} \d+/)
        expect(text).toMatch(/outbox_published_total\{[^}]*\} [1-9]/)
        expect(text).toContain('process_cpu_seconds_total')
      }
      const gateway = await fetch(`${shop.services.get('api-gateway')?.metricsUrl}/metrics`)
      expect(await gateway.text()).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/orders"/)
    })

    it('when /metrics is asked on any API port, then 404: metrics are not public', async () => {
      for (const service of shop.services.values()) {
        const response = await fetch(`${service.url}/metrics`)
        expect(response.status, service.name).toBe(404)
        expect(await response.json(), service.name).toMatchObject({ code: 'route_not_found' })
      }
    })

    it('when a service is told to stop, then it exits cleanly within 10 s', async () => {
      const payments = shop.services.get('payments-service')
      if (!payments) throw new Error('payments-service is not running')
      const started = Date.now()
      const exited = new Promise<number | null>((resolve) => payments.child.once('exit', resolve))
      payments.child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(Date.now() - started).toBeLessThan(10_000)
      await shop.restart('payments-service')
    })

    it('when payments-service is down, then orders are still accepted and settle once it is back', async () => {
      const user = api.newUser()
      await api.openAccount(user, 80)
      await shop.services.get('payments-service')?.stop()

      const unavailable = await api.balance(user)
      expect(unavailable).toMatchObject({ status: 503, body: { code: 'upstream_unavailable' } })
      const placed = await api.placeOrder(user, 30)
      expect(placed).toMatchObject({ status: 201, body: { status: 'NEW' } })
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect((await api.getOrder(user, placed.body.id)).body.status).toBe('NEW')

      await shop.restart('payments-service')
      const { order } = await settled(user, placed.body.id)
      expect(order.status).toBe('FINISHED')
      expect((await api.balance(user)).body.balance).toBe(50)
    })
  })
}
