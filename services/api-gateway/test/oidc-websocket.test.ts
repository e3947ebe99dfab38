import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capturingLogger } from '../../../tests/support/logger.ts'
import { openSocket, refusedUpgrade } from '../../../tests/support/websocket.ts'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type SocketUpstream, startSocketUpstream } from './support/socket-upstream.ts'
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from './support/test-issuer.ts'

const WS_TICKET_SECRET = 'a-ticket-secret-of-at-least-32-characters'
const INTERNAL_AUTH_TOKEN = 'an-internal-token-of-at-least-32-characters'

let issuer: TestIssuer
let upstream: SocketUpstream
let gateway: Gateway
let ws: (query: string) => string
const { logger, lines: logLines } = capturingLogger()

beforeAll(async () => {
  issuer = await startTestIssuer()
  upstream = await startSocketUpstream()
  gateway = await startGateway({
    ordersUrl: upstream.url,
    paymentsUrl: upstream.url,
    auth: {
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: issuer.url,
      OIDC_AUDIENCE: TEST_AUDIENCE,
      WS_TICKET_SECRET,
      INTERNAL_AUTH_TOKEN,
    },
    logger,
  })
  const http = await gateway.listen({ host: '127.0.0.1', port: 0 })
  ws = (query: string) => `${http.replace(/^http/, 'ws')}/ws${query}`
})

afterAll(async () => {
  await gateway?.close()
  await upstream?.close()
  await issuer?.close()
})

async function ticketFor(userId: string): Promise<string> {
  const response = await gateway.inject({
    method: 'POST',
    url: '/ws/tickets',
    headers: { authorization: `Bearer ${await issuer.sign({ sub: userId })}` },
  })
  expect(response.statusCode).toBe(201)
  const body = response.json()
  expect(body).toEqual({ ticket: expect.any(String), expires_in: 30 })
  return body.ticket
}

/** A ticket as the gateway makes them, signed with `secret` and expiring at `exp` (seconds). */
const handMadeTicket = (secret: string, exp: number) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'shop-ws-ticket' })
    .setSubject(randomUUID())
    .setAudience('shop:ws')
    .setJti(randomUUID())
    .setIssuedAt(exp - 30)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret))

describe('the WebSocket in oidc mode', () => {
  it('when a ticket is asked for without a token, then 401 with a Bearer challenge', async () => {
    const response = await gateway.inject({ method: 'POST', url: '/ws/tickets' })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer realm="shop"')
  })

  it('when a ticket opens the socket, then the service is asked for the token’s user, with the internal token', async () => {
    const userId = randomUUID()
    const socket = await openSocket(ws(`?ticket=${await ticketFor(userId)}`))
    try {
      const accepted = upstream.accepted.at(-1)
      expect(new URL(accepted?.url ?? '', 'http://x').searchParams.get('user_id')).toBe(userId)
      expect(accepted?.headers['x-user-id']).toBe(userId)
      expect(accepted?.headers['x-internal-auth']).toBe(INTERNAL_AUTH_TOKEN)
      accepted?.socket.send(
        JSON.stringify({ type: 'order_status', order_id: randomUUID(), status: 'FINISHED' }),
      )
      expect(await socket.nextMessage()).toMatchObject({ status: 'FINISHED' })
    } finally {
      await socket.close()
    }
  })

  it('when a ticket is used a second time, then 401 invalid_websocket_ticket and the service is not asked', async () => {
    const ticket = await ticketFor(randomUUID())
    await (await openSocket(ws(`?ticket=${ticket}`))).close()
    const upgrades = upstream.upgrades

    const again = await refusedUpgrade(ws(`?ticket=${ticket}`))

    expect(again.status).toBe(401)
    expect(again.body).toMatchObject({
      code: 'invalid_websocket_ticket',
      detail: expect.stringMatching(/already used/),
    })
    expect(upstream.upgrades).toBe(upgrades)
  })

  it.each<[string, () => Promise<string>]>([
    ['no ticket', async () => ''],
    ['a user id instead of a ticket', async () => `?user_id=${randomUUID()}`],
    [
      'an expired ticket',
      async () => `?ticket=${await handMadeTicket(WS_TICKET_SECRET, Math.floor(Date.now() / 1000) - 1)}`,
    ],
    [
      'a ticket signed with another secret',
      async () => `?ticket=${await handMadeTicket('x'.repeat(40), Math.floor(Date.now() / 1000) + 30)}`,
    ],
    ['an access token instead of a ticket', async () => `?ticket=${await issuer.sign()}`],
  ])(
    'when the socket is opened with %s, then 401 invalid_websocket_ticket before any upgrade',
    async (_, query) => {
      const upgrades = upstream.upgrades
      const refused = await refusedUpgrade(ws(await query()))

      expect(refused.status).toBe(401)
      expect(refused.body).toMatchObject({ code: 'invalid_websocket_ticket' })
      expect(upstream.upgrades).toBe(upgrades)
    },
  )

  it('when tickets were used and refused, then none appears in the logs', async () => {
    const ticket = await ticketFor(randomUUID())
    await (await openSocket(ws(`?ticket=${ticket}`))).close()
    await refusedUpgrade(ws(`?ticket=${ticket}`))
    const logs = logLines.join('')

    expect(logs).toContain('/ws?ticket=[redacted]')
    expect(logs).not.toContain(ticket.split('.')[2])
  })
})
