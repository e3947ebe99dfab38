import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testLogger } from '../../../tests/support/logger.ts'
import { openConnection, parseAnswer, sendRequest } from '../../../tests/support/raw-http.ts'
import { type ConnectionLimits, limitConnections } from '../src/http/connection-limits.ts'
import { createHttpApp, type HttpApp } from '../src/http/create-http-app.ts'

/**
 * The bounds every service's listeners get (see serveHttp): a client that holds a connection
 * without finishing its headers, its body, or anything at all is cut off, and the number of
 * connections is capped. Small bounds here, so that the tests are quick.
 */
const LIMITS: ConnectionLimits = {
  HEADERS_TIMEOUT_MS: 400,
  REQUEST_TIMEOUT_MS: 800,
  KEEP_ALIVE_TIMEOUT_MS: 300,
  MAX_CONNECTIONS: 1_000,
}
/** How much later than its bound a cut may come on a busy two-core machine. */
const SLACK_MS = 400
/** Node keeps an idle connection this much longer than it announces, for a request already on its way. */
const NODE_KEEP_ALIVE_BUFFER_MS = 1_000

async function listening(limits: ConnectionLimits): Promise<{ app: HttpApp; url: string }> {
  const app = await createHttpApp({ title: 'limits', description: 'connection limits', logger: testLogger })
  app.post('/echo', async (request) => request.body)
  // Answers at once and never ends its answer, whatever the request still has to send.
  app.get('/held', (_request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'text/plain' })
    reply.raw.write('partial answer')
  })
  limitConnections(app.server, limits)
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) }
}

describe('a server with connection limits', () => {
  let app: HttpApp
  let url: string
  beforeAll(async () => {
    ;({ app, url } = await listening(LIMITS))
  })
  afterAll(async () => {
    await app?.close()
  })

  it('when a client sends its headers and part of its body, then 408 request_timeout problem and a close at the request bound', async () => {
    const connection = await openConnection(url)
    const started = Date.now()
    connection.socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"amount":',
    )

    const closedAt = await connection.closedAt

    expect(closedAt - started).toBeGreaterThanOrEqual(LIMITS.REQUEST_TIMEOUT_MS - 50)
    expect(closedAt - started).toBeLessThan(LIMITS.REQUEST_TIMEOUT_MS + SLACK_MS)
    const answer = parseAnswer(connection.received)
    expect(answer.status).toBe(408)
    expect(answer.headers['content-type']).toBe('application/problem+json')
    expect(answer.headers.connection).toBe('close')
    expect(JSON.parse(answer.body)).toMatchObject({ status: 408, code: 'request_timeout' })
  })

  it('when a client sends only part of its headers, then 408 and a close at the headers bound', async () => {
    const connection = await openConnection(url)
    const started = Date.now()
    connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ')

    const closedAt = await connection.closedAt

    expect(closedAt - started).toBeLessThan(LIMITS.HEADERS_TIMEOUT_MS + SLACK_MS)
    expect(JSON.parse(parseAnswer(connection.received).body)).toMatchObject({ code: 'request_timeout' })
  })

  it('when a keep-alive connection idles after its answer, then it is closed after the idle bound', async () => {
    const connection = await openConnection(url)
    connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
    await connection.waitFor('{"status":"ok"}')
    const answered = Date.now()

    const closedAt = await connection.closedAt

    expect(closedAt - answered).toBeGreaterThanOrEqual(LIMITS.KEEP_ALIVE_TIMEOUT_MS - 50)
    expect(closedAt - answered).toBeLessThan(
      LIMITS.KEEP_ALIVE_TIMEOUT_MS + NODE_KEEP_ALIVE_BUFFER_MS + SLACK_MS,
    )
  })

  it('when the answer has begun before the request ended, then the timeout closes it without writing a second answer into it', async () => {
    const connection = await openConnection(url)
    connection.socket.write('GET /held HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n123456789')
    await connection.waitFor('partial answer')

    await connection.closedAt

    expect(connection.received).toMatch(/^HTTP\/1\.1 200 /)
    expect(connection.received).not.toContain('408')
  })

  it('when a request arrives in time, then it is answered as usual', async () => {
    const answer = await sendRequest(url, {
      method: 'POST',
      target: '/echo',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":1}',
    })

    expect(answer).toMatchObject({ status: 200, body: '{"amount":1}' })
  })
})

describe('a server with a connection cap', () => {
  const CAP = 2
  let app: HttpApp
  let url: string
  beforeAll(async () => {
    ;({ app, url } = await listening({
      HEADERS_TIMEOUT_MS: 10_000,
      REQUEST_TIMEOUT_MS: 10_000,
      KEEP_ALIVE_TIMEOUT_MS: 10_000,
      MAX_CONNECTIONS: CAP,
    }))
  })
  afterAll(async () => {
    await app?.close()
  })

  /** A connection the server has accepted: it has answered a request on it. */
  const acceptedConnection = async () => {
    const connection = await openConnection(url)
    connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
    await connection.waitFor('{"status":"ok"}')
    return connection
  }

  it('when the cap is reached, then one more connection is closed at once, unanswered, and taken again once one is free', async () => {
    const held = [await acceptedConnection(), await acceptedConnection()]
    const extra = await openConnection(url)
    const started = Date.now()
    extra.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')

    const closedAt = await extra.closedAt

    expect(closedAt - started).toBeLessThan(SLACK_MS)
    expect(extra.received).toBe('')
    held[0]?.socket.destroy()
    await held[0]?.closedAt
    // The server notices the close a moment after the client does.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const next = await acceptedConnection()
    expect(parseAnswer(next.received).status).toBe(200)
    for (const connection of [held[1], next]) connection?.socket.destroy()
  })
})
