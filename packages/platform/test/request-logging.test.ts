import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpApp, type HttpApp } from '../src/http/create-http-app.ts'
import { requireUserId } from '../src/http/user-id.ts'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const USER_ID = '8f14e45f-ceea-467f-a0e6-5b3b2c1d9e7a'

describe('request logging', () => {
  const lines: Record<string, unknown>[] = []
  let app: HttpApp

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
    app = await createHttpApp({ title: 'test', description: 'test', logger })
    app.get('/mine', { onRequest: requireUserId }, async (request) => {
      request.log.info('handled')
      return { traceparent: request.trace.traceparent }
    })
    await app.ready()
  })
  afterAll(() => app.close())

  const linesOf = (reqId: string) => lines.filter((line) => line.reqId === reqId)

  it('when a request carries a trace and a user id, then each of its lines names both and the request id', async () => {
    const response = await app.inject({
      url: '/mine',
      headers: {
        traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
        'x-user-id': USER_ID.toUpperCase(),
        'x-request-id': 'req-with-trace',
      },
    })
    expect(response.statusCode).toBe(200)
    // The request continues the caller's trace in a span of its own.
    expect(response.json().traceparent).toMatch(
      new RegExp(`^00-${TRACE_ID}-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$`),
    )
    const logged = linesOf('req-with-trace')
    expect(logged.map((line) => line.msg)).toEqual(['handled', 'request completed'])
    for (const line of logged) expect(line).toMatchObject({ trace_id: TRACE_ID, user_id: USER_ID })
  })

  it('when the user id is not a UUID, then no line names a user and the request is refused', async () => {
    const response = await app.inject({
      url: '/mine',
      headers: { 'x-user-id': 'not-a-uuid', 'x-request-id': 'req-bad-user' },
    })
    expect(response.statusCode).toBe(400)
    const logged = linesOf('req-bad-user')
    expect(logged.length).toBeGreaterThan(0)
    for (const line of logged) {
      expect(line).not.toHaveProperty('user_id')
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/)
    }
  })

  it('when requests start their own traces, then each gets a different trace id', async () => {
    const ids = new Set<string>()
    for (let index = 0; index < 300; index += 1) {
      const response = await app.inject({ url: '/mine', headers: { 'x-user-id': USER_ID } })
      ids.add(response.json().traceparent.split('-')[1])
    }
    expect(ids.size).toBe(300)
  })
})
