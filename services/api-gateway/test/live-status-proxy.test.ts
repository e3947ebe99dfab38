import { randomUUID } from 'node:crypto'
import { createPool, migrate } from '@shop/platform'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../scripts/lib/launcher/service-process.ts'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import {
  handshake,
  MALFORMED_HANDSHAKES,
  openSocket,
  openSocketWhenAccepted,
  refusedUpgrade,
  spoiledHandshake,
} from '../../../tests/support/websocket.ts'
import {
  type LiveOrdersInstance,
  settle,
  startLiveOrdersInstance,
} from '../../orders-service/test/support/live-orders.ts'
import { ORDERS_SCHEMA, ordersMigrations } from '../../orders-service/test/support/orders-harness.ts'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type SocketUpstream, startSocketUpstream } from './support/socket-upstream.ts'
import { type StubUpstream, startHangingUpstream } from './support/stub-upstreams.ts'

/** The gateway listening on loopback, with its base URLs for HTTP and WebSocket. */
async function listening(gateway: Gateway) {
  const http = await gateway.listen({ host: '127.0.0.1', port: 0 })
  return { http, ws: (query: string) => `${http.replace(/^http/, 'ws')}/ws${query}` }
}

describe('the gateway’s /ws in front of the real orders-service', () => {
  let db: TestDatabase
  let pool: pg.Pool
  let orders: LiveOrdersInstance
  let gateway: Gateway
  let ws: (query: string) => string

  beforeAll(async () => {
    db = await createTestDatabase()
    pool = createPool({ connectionString: db.url, schema: ORDERS_SCHEMA, applicationName: 'orders-test' })
    await migrate(pool, ORDERS_SCHEMA, ordersMigrations)
    orders = await startLiveOrdersInstance(pool, db.url, 'gateway-live.orders')
    const ordersUrl = (orders.app.server.address() as { port: number }).port
    gateway = await startGateway({
      ordersUrl: `http://127.0.0.1:${ordersUrl}`,
      paymentsUrl: `http://127.0.0.1:${ordersUrl}`,
    })
    ws = (await listening(gateway)).ws
  })

  afterAll(async () => {
    await gateway?.close()
    await orders?.app.close()
    await pool?.end()
    await db?.drop()
  })

  const placeOrder = async (userId: string) => {
    const response = await gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'x-user-id': userId, 'content-type': 'application/json' },
      payload: { amount: 10 },
    })
    expect(response.statusCode).toBe(201)
    return response.json().id as string
  }

  it('when an order of the user settles, then the push reaches the user’s socket at the gateway, and no one else’s', async () => {
    const [owner, stranger] = [randomUUID(), randomUUID()]
    // The gateway refuses while orders-service's feed is not yet listening; it is, a moment after start.
    const ownerSocket = await openSocketWhenAccepted(ws(`?user_id=${owner}`))
    const strangerSocket = await openSocket(ws(`?user_id=${stranger}`))
    const [ownersOrder, strangersOrder] = [await placeOrder(owner), await placeOrder(stranger)]

    await settle(pool, ownersOrder, owner, { status: 'FAIL', reason: 'insufficient_funds' })
    expect(await ownerSocket.nextMessage()).toEqual({
      type: 'order_status',
      order_id: ownersOrder,
      status: 'CANCELLED',
      reason: 'insufficient_funds',
    })
    // Pushes keep commit order: the stranger's first is its own, later order; the owner's never came.
    await settle(pool, strangersOrder, stranger, { status: 'SUCCESS' })

    expect(await strangerSocket.nextMessage()).toEqual({
      type: 'order_status',
      order_id: strangersOrder,
      status: 'FINISHED',
    })
    expect(strangerSocket.messages).toHaveLength(1)
    await Promise.all([ownerSocket.close(), strangerSocket.close()])
  })

  it.each([
    ['no user_id', '', 'missing_user_id'],
    ['a user_id that is not a UUID', '?user_id=bob', 'invalid_user_id'],
    ['two user_id', `?user_id=${randomUUID()}&user_id=${randomUUID()}`, 'invalid_user_id'],
  ])(
    'when the upgrade has %s, then the gateway refuses it with 400 problem JSON',
    async (_case, query, code) => {
      const refused = await refusedUpgrade(ws(query))

      expect(refused).toMatchObject({ status: 400, body: { status: 400, code } })
    },
  )

  it('when /ws is asked without an upgrade, then 426 says it is a WebSocket', async () => {
    const response = await gateway.inject({ method: 'GET', url: `/ws?user_id=${randomUUID()}` })

    expect(response.statusCode).toBe(426)
    expect(response.json()).toMatchObject({ code: 'upgrade_required' })
  })

  it('when the API is documented, then /ws is listed with its identity parameter', async () => {
    const document = (await gateway.inject({ method: 'GET', url: '/docs/json' })).json()

    expect(document.paths['/ws'].get.summary).toMatch(/WebSocket/)
    expect(document.paths['/ws'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'user_id', required: true })]),
    )
  })
})

describe('the gateway’s /ws when orders-service misbehaves', () => {
  const gatewayBefore = async (ordersUrl: string) => {
    const gateway = await startGateway({ ordersUrl, paymentsUrl: ordersUrl, timeoutMs: 300 })
    return { gateway, ...(await listening(gateway)) }
  }

  it('when the identity is bad, then it is refused before orders-service is asked', async () => {
    const upstream = await startSocketUpstream()
    const { gateway, ws } = await gatewayBefore(upstream.url)

    expect((await refusedUpgrade(ws('?user_id=nobody'))).status).toBe(400)
    expect(upstream.upgrades).toBe(0)

    await gateway.close()
    await upstream.close()
  })

  it('when orders-service is down, then 503 upstream_unavailable, as for the other routes', async () => {
    const { gateway, ws } = await gatewayBefore(`http://127.0.0.1:${await freePort()}`)

    expect(await refusedUpgrade(ws(`?user_id=${randomUUID()}`))).toMatchObject({
      status: 503,
      body: { code: 'upstream_unavailable' },
    })
    await gateway.close()
  })

  it('when orders-service does not answer the upgrade in time, then 504 upstream_timeout', async () => {
    const hanging: StubUpstream = await startHangingUpstream()
    const { gateway, ws } = await gatewayBefore(hanging.url)

    expect(await refusedUpgrade(ws(`?user_id=${randomUUID()}`))).toMatchObject({
      status: 504,
      body: { code: 'upstream_timeout' },
    })
    await gateway.close()
    await hanging.close()
  })

  it('when orders-service refuses the upgrade, then its answer is passed on', async () => {
    const refusal = { status: 503, code: 'live_status_unavailable', title: 'Live status unavailable' }
    const upstream = await startSocketUpstream({ status: 503, body: refusal })
    const { gateway, ws } = await gatewayBefore(upstream.url)

    expect(await refusedUpgrade(ws(`?user_id=${randomUUID()}`))).toEqual({ status: 503, body: refusal })
    await gateway.close()
    await upstream.close()
  })

  describe('once connected', () => {
    let upstream: SocketUpstream
    let gateway: Gateway
    let ws: (query: string) => string

    beforeAll(async () => {
      upstream = await startSocketUpstream()
      ;({ gateway, ws } = await gatewayBefore(upstream.url))
    })

    afterAll(async () => {
      await gateway?.close()
      await upstream?.close()
    })

    const connect = async () => {
      const userId = randomUUID()
      const client = await openSocket(ws(`?user_id=${userId.toUpperCase()}`))
      const server = upstream.accepted.at(-1)
      if (!server) throw new Error('the upstream accepted nothing')
      return { userId, client, server }
    }

    it('when the client connects, then the upstream is asked for that user, lower-cased, with a request id and trace', async () => {
      const { userId, client, server } = await connect()

      expect(server.url).toBe(`/live/orders?user_id=${userId}`)
      expect(server.headers['x-request-id']).toBeTruthy()
      expect(server.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
      await client.close()
    })

    it('when the upstream pushes, then the client gets the message as it was', async () => {
      const { client, server } = await connect()
      const push = { type: 'order_status', order_id: randomUUID(), status: 'FINISHED' }

      server.socket.send(JSON.stringify(push))

      expect(await client.nextMessage()).toEqual(push)
      await client.close()
    })

    type UpstreamSocket = SocketUpstream['accepted'][number]['socket']
    it.each<[string, number, (socket: UpstreamSocket) => void]>([
      ['asks to come back later', 1013, (socket) => socket.close(1013, 'later')],
      ['goes away', 1001, (socket) => socket.close(1001, 'bye')],
      // 1006 (abnormal) may not be sent; 1014 "bad gateway" says the upstream failed.
      ['vanishes without a close frame', 1014, (socket) => socket.terminate()],
    ])(
      'when the upstream %s, then the client is closed with %i and knows to reconnect',
      async (_case, code, end) => {
        const { client, server } = await connect()

        end(server.socket)

        expect((await client.closed).code).toBe(code)
      },
    )

    it.each(MALFORMED_HANDSHAKES)(
      'when the client’s handshake has %s, then problem JSON with a status and code, and no socket stays open upstream',
      async (_case, spoiled, status, code) => {
        const acceptedBefore = upstream.accepted.length
        const http = ws('').replace(/^ws/, 'http').replace(/\/ws$/, '')

        const answer = await handshake(http, `/ws?user_id=${randomUUID()}`, spoiledHandshake(spoiled))

        expect(answer.status).toBe(status)
        expect(answer.headers['content-type']).toBe('application/problem+json')
        expect(JSON.parse(answer.body)).toMatchObject({ status, code })
        for (const { socket } of upstream.accepted.slice(acceptedBefore)) {
          await eventually(
            async () => socket.readyState,
            (state) => state === socket.CLOSED,
          )
        }
      },
    )

    it('when the client leaves, then the gateway closes its upstream socket too', async () => {
      const { client, server } = await connect()

      await client.close()

      await eventually(
        async () => server.socket.readyState,
        (state) => state === server.socket.CLOSED,
      )
    })
  })
})
