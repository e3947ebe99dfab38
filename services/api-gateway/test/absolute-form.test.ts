import { randomUUID } from 'node:crypto'
import { AccountRoutes, OrderRoutes } from '@shop/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendRequest } from '../../../tests/support/raw-http.ts'
import { handshake } from '../../../tests/support/websocket.ts'
import { type Gateway, startGateway, useGatewayOverEcho } from './support/gateway.ts'
import { type SocketUpstream, startSocketUpstream } from './support/socket-upstream.ts'

/**
 * A request target in absolute form (`GET http://host/path HTTP/1.1`), which HTTP/1.1 servers must
 * accept (RFC 9112 3.2.2): the proxy refused it, and every forwarded route answered 500.
 */
const fixture = useGatewayOverEcho({ listen: true })
const ABSOLUTE_BASE = 'http://shop.example'

const forwardedRoutes = [...Object.values(AccountRoutes), ...Object.values(OrderRoutes)].map(
  ({ method, url }) => [method, url.replace(':order_id', randomUUID())] as const,
)

describe('an absolute-form request target', () => {
  it.each(forwardedRoutes)(
    'when %s %s comes in absolute form, then it is forwarded as its origin form',
    async (method, path) => {
      const seenBefore = fixture.echo.seen.length

      const answer = await sendRequest(fixture.url, {
        method,
        target: `${ABSOLUTE_BASE}${path}?trace=1`,
        headers: { 'x-user-id': randomUUID(), 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      })

      expect(answer.status).toBe(200)
      expect(fixture.echo.seen.slice(seenBefore)).toMatchObject([{ method, url: `${path}?trace=1` }])
    },
  )

  it('when a refused request comes in absolute form, then its problem names the origin-form path', async () => {
    const answer = await sendRequest(fixture.url, { target: `${ABSOLUTE_BASE}/orders` })

    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'missing_user_id', instance: '/orders' })
  })
})

describe('an absolute-form upgrade to /ws', () => {
  let upstream: SocketUpstream
  let gateway: Gateway
  let url: string
  beforeAll(async () => {
    upstream = await startSocketUpstream()
    gateway = await startGateway({ ordersUrl: upstream.url, paymentsUrl: upstream.url })
    url = await gateway.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    await gateway?.close()
    await upstream?.close()
  })

  it('when /ws is asked in absolute form, then the socket is opened upstream for that user and accepted', async () => {
    const user = randomUUID()

    const answer = await handshake(url, `${ABSOLUTE_BASE}/ws?user_id=${user}`)

    expect(answer.status).toBe(101)
    expect(upstream.accepted.at(-1)?.url).toBe(`/live/orders?user_id=${user}`)
  })
})
