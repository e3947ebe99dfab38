import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shopClient } from '../../scripts/lib/shop-client.ts'
import { openConnection, parseAnswer, sendRequest } from '../support/raw-http.ts'
import { type RunningShop, startShop } from '../support/shop.ts'

/**
 * What every process of the shop does with clients that hold connections, run against the real
 * processes as they are started (the gateway's server.ts listens itself, the services through
 * runService), with bounds small enough to watch.
 */
const BOUND_MS = 1_000
const CAP = 8
/** How much later than its bound a cut may come with three services on two busy cores. */
const SLACK_MS = 700
/** Node keeps an idle connection this much longer than it announces, for a request already on its way. */
const NODE_KEEP_ALIVE_BUFFER_MS = 1_000

describe('the HTTP edge of every process', () => {
  let shop: RunningShop
  beforeAll(async () => {
    shop = await startShop({
      HEADERS_TIMEOUT_MS: String(BOUND_MS),
      REQUEST_TIMEOUT_MS: String(BOUND_MS),
      KEEP_ALIVE_TIMEOUT_MS: String(BOUND_MS),
      MAX_CONNECTIONS: String(CAP),
    })
  })
  afterAll(async () => {
    await shop?.stop()
  })

  const processes = ['api-gateway', 'orders-service', 'payments-service'] as const
  const urlOf = (name: (typeof processes)[number]) => shop.services.get(name)?.url as string
  /** A route of each process that reads a body: a request no route takes is answered before its body. */
  const bodyRouteOf = {
    'api-gateway': '/orders',
    'orders-service': '/orders',
    'payments-service': '/accounts/topup',
  } as const

  it.each(processes)(
    'when a client sends headers and only part of its body to %s, then 408 problem and a close at the bound',
    async (name) => {
      const connection = await openConnection(urlOf(name))
      const started = Date.now()
      connection.socket.write(
        `POST ${bodyRouteOf[name]} HTTP/1.1\r\nHost: x\r\nX-User-Id: ${randomUUID()}\r\n` +
          'Content-Type: application/json\r\n' +
          'Content-Length: 100\r\n\r\n{"amount":',
      )

      const closedAt = await connection.closedAt

      expect(closedAt - started).toBeLessThan(BOUND_MS + SLACK_MS)
      const answer = parseAnswer(connection.received)
      expect(answer.status).toBe(408)
      expect(answer.headers['content-type']).toBe('application/problem+json')
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'request_timeout' })
    },
  )

  it.each(processes)(
    'when a keep-alive connection to %s idles, then it is closed after the idle bound',
    async (name) => {
      const connection = await openConnection(urlOf(name))
      connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
      await connection.waitFor('"status":"ok"')
      const answered = Date.now()

      const closedAt = await connection.closedAt

      expect(closedAt - answered).toBeLessThan(BOUND_MS + NODE_KEEP_ALIVE_BUFFER_MS + SLACK_MS)
    },
  )

  it.each(processes)(
    'when more connections than the cap are opened to %s, then those over it are closed at once, unanswered',
    async (name) => {
      const connections = await Promise.all(
        Array.from({ length: CAP + 2 }, () => openConnection(urlOf(name))),
      )
      const opened = Date.now()

      const closedAt = await Promise.all(connections.map((connection) => connection.closedAt))

      // Those taken wait for a request and get the 408 at the bound; those over the cap get nothing.
      const refused = connections.filter((connection) => connection.received === '')
      expect(refused.length).toBeGreaterThanOrEqual(2)
      expect(connections.length - refused.length).toBeLessThanOrEqual(CAP)
      for (const [i, connection] of connections.entries()) {
        if (refused.includes(connection)) expect((closedAt[i] as number) - opened).toBeLessThan(SLACK_MS)
      }
      expect((await sendRequest(urlOf(name), { target: '/health' })).status).toBe(200)
    },
  )

  it('when requests come with an absolute-form target, then the gateway and each service answer as for the origin form', async () => {
    const api = shopClient(shop.gateway)
    const user = api.newUser()
    await api.openAccount(user, 7)
    const headers = { 'x-user-id': user }

    const atGateway = await sendRequest(shop.gateway, {
      target: 'http://shop.example/accounts/balance',
      headers,
    })
    const atPayments = await sendRequest(urlOf('payments-service'), {
      target: 'http://payments/accounts/balance',
      headers,
    })
    const atOrders = await sendRequest(urlOf('orders-service'), { target: 'http://orders/orders', headers })

    expect(atGateway.status).toBe(200)
    expect(JSON.parse(atGateway.body)).toEqual({ user_id: user, balance: 7 })
    expect(atPayments.status).toBe(200)
    expect(JSON.parse(atPayments.body)).toEqual({ user_id: user, balance: 7 })
    expect(atOrders.status).toBe(200)
    expect(JSON.parse(atOrders.body)).toEqual([])
  })
})
