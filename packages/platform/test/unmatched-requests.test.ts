import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpApp, type HttpApp } from '../src/http/create-http-app.ts'

/** An app built by createHttpApp with routes shaped like the services': one path, several methods. */
let app: HttpApp

beforeAll(async () => {
  app = await createHttpApp({ title: 'test', description: 'test', logger: pino({ level: 'silent' }) })
  await app.register(async (child) => {
    child.get('/things', async () => [])
    child.post('/things', async () => ({}))
    child.get('/things/:thing_id', async () => ({}))
    child.post('/things/:thing_id/archive', async () => ({}))
  })
  await app.ready()
})
afterAll(() => app.close())

describe('a method the path lacks', () => {
  it.each([
    ['DELETE', '/things', 'GET, HEAD, POST'],
    ['PUT', '/things?x=1', 'GET, HEAD, POST'],
    ['OPTIONS', '/things', 'GET, HEAD, POST'],
    ['PATCH', '/things/42', 'GET, HEAD'],
    ['GET', '/things/42/archive', 'POST'],
    ['PUT', '/health', 'GET, HEAD'],
  ] as const)(
    'when %s %s is asked for, then 405 method_not_allowed with Allow: %s',
    async (method, url, allow) => {
      const response = await app.inject({ method, url })

      expect(response.statusCode).toBe(405)
      expect(response.headers.allow).toBe(allow)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({
        status: 405,
        code: 'method_not_allowed',
        title: 'Method not allowed',
      })
    },
  )

  it('when QUERY without a Content-Type is asked of a path that does not take it, then 405, not a 400 about the body', async () => {
    // Fastify refuses a QUERY without Content-Type (RFC 10008) before a not-found handler runs.
    const response = await app.inject({
      method: 'QUERY',
      url: '/things/42',
      headers: { 'x-request-id': 'q-1' },
    })

    expect(response.statusCode).toBe(405)
    expect(response.headers.allow).toBe('GET, HEAD')
    expect(response.headers['x-request-id']).toBe('q-1')
    expect(response.json()).toMatchObject({ status: 405, code: 'method_not_allowed' })
  })

  it('when HEAD is asked of a path that only takes POST, then 405 with headers only', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/things/42/archive' })

    expect(response.statusCode).toBe(405)
    expect(response.headers.allow).toBe('POST')
    expect(response.body).toBe('')
  })

  it('when HEAD is asked of a GET route, then it is served (the Allow lists are not lying)', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/things/42' })

    expect(response.statusCode).toBe(200)
  })
})

describe('a path no route has', () => {
  it.each([
    ['GET', '/nothing'],
    ['DELETE', '/things/42/archive/now'],
    ['POST', '/Things'],
  ] as const)('when %s %s is asked for, then 404 route_not_found without Allow', async (method, url) => {
    const response = await app.inject({ method, url })

    expect(response.statusCode).toBe(404)
    expect(response.headers.allow).toBeUndefined()
    expect(response.json()).toMatchObject({ status: 404, code: 'route_not_found' })
  })
})
