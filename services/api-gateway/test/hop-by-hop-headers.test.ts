import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { openConnection, parseAnswer, sendRequest } from '../../../tests/support/raw-http.ts'
import { useGatewayOverEcho } from './support/gateway.ts'

/**
 * The headers about the gateway's own connection to a service stay there. The service's
 * `Connection: keep-alive` and `Keep-Alive: timeout=5` were passed on, so a client that asked to
 * close was kept open, and every client was told the service's idle bound instead of the gateway's.
 */
const fixture = useGatewayOverEcho({ listen: true })

describe('connection headers of a forwarded answer', () => {
  it('when the client asks to close, then the answer says close and the connection is closed', async () => {
    const connection = await openConnection(fixture.url)
    const started = Date.now()
    connection.socket.write(
      `GET /orders HTTP/1.1\r\nHost: x\r\nX-User-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n`,
    )

    const closedAt = await connection.closedAt

    expect(closedAt - started).toBeLessThan(1_000)
    const answer = parseAnswer(connection.received)
    expect(answer.status).toBe(200)
    expect(answer.headers.connection).toBe('close')
    expect(answer.headers['keep-alive']).toBeUndefined()
  })

  it('when the connection is kept alive, then the idle bound announced is the gateway’s own', async () => {
    const answer = await sendRequest(fixture.url, {
      target: '/orders',
      headers: { 'x-user-id': randomUUID() },
    })

    expect(answer.status).toBe(200)
    expect(answer.headers['x-echo']).toBe('yes')
    expect(answer.headers['keep-alive']).toBe(
      `timeout=${Math.floor(fixture.gateway.server.keepAliveTimeout / 1000)}`,
    )
  })
})
