import { TopUpBody } from '@shop/contracts'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpApp, type HttpApp } from '../src/http/create-http-app.ts'
import { toMinorUnits } from '../src/money.ts'

/**
 * How every app reads a body, through the real HTTP interface of an app built by createHttpApp:
 * `/amount` has the money schema the services use and answers the minor units it would store;
 * `/echo` has no schema, so only the parser stands between the bytes and the handler.
 */
let app: HttpApp

beforeAll(async () => {
  app = await createHttpApp({ title: 'test', description: 'test', logger: pino({ level: 'silent' }) })
  app.post('/amount', { schema: { body: TopUpBody } }, async (request) => ({
    minor: toMinorUnits(request.body.amount, 'amount'),
  }))
  app.post('/echo', async (request) => ({ body: request.body ?? null }))
  await app.ready()
})
afterAll(() => app.close())

const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload })

function expectProblem(response: Awaited<ReturnType<typeof post>>, status: number, code: string) {
  expect({ status: response.statusCode, body: response.json() }).toMatchObject({
    status,
    body: { status, code, type: 'about:blank', title: expect.any(String) },
  })
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
}

describe('money as written', () => {
  it.each([
    ['25', 2500],
    ['25.0', 2500],
    ['25.50', 2550],
    ['2.5e1', 2500],
    ['1E2', 10000],
    ['2500e-2', 2500],
    ['0.07', 7],
    ['999999999.99', 99_999_999_999],
  ])('when the amount is written %s, then it is read as exactly %d minor units', async (written, minor) => {
    const response = await post('/amount', `{"amount":${written}}`)

    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({ minor })
  })

  it.each([
    ['25.000000000000000001', '25'],
    ['0.1000000000000000000001', '0.1'],
    ['1e-400', '0'],
    ['1e400', 'Infinity'],
    ['9007199254740993', '9007199254740992'],
  ])('when the amount is %s, which a double holds as %s, then 422 names the field', async (written, read) => {
    const response = await post('/amount', `{"amount":${written}}`)

    expectProblem(response, 422, 'validation_failed')
    expect(response.json().errors).toEqual([{ field: '/amount', message: expect.stringContaining(read) }])
  })

  it.each(['25.001', '0.001', '1000000000.01', '0'])(
    'when the amount %s is not a whole number of cents in range, then 422 names the field',
    async (written) => {
      const response = await post('/amount', `{"amount":${written}}`)

      expectProblem(response, 422, 'validation_failed')
      expect(response.json().errors).toContainEqual({ field: '/amount', message: expect.any(String) })
    },
  )

  it('when an inexact number sits deep in a body, then the problem points at it', async () => {
    const response = await post('/echo', '{"items":[{"n":1},{"n":1e-400}]}')

    expectProblem(response, 422, 'validation_failed')
    expect(response.json().errors).toEqual([{ field: '/items/1/n', message: expect.any(String) }])
  })
})

describe('duplicate names', () => {
  it.each([
    ['{"amount":1,"amount":1000000}', '/amount'],
    ['{"amount":1,"amount":1}', '/amount'],
    ['{"amount":1,"\\u0061mount":2}', '/amount'],
    ['{"a":{"b":true,"c":null,"b":false}}', '/a/b'],
    ['[{"x":1},{"x":1,"x":2}]', '/1/x'],
    ['{"a/b~":[0,{"":1,"":2}]}', '/a~1b~0/1/'],
  ])('when %s is sent, then 400 duplicate_json_key points at %s', async (raw, pointer) => {
    const response = await post('/echo', raw)

    expectProblem(response, 400, 'duplicate_json_key')
    expect(response.json().errors).toEqual([{ field: pointer, message: expect.any(String) }])
  })

  it('when one name appears in sibling objects and inside strings, then the body is read as sent', async () => {
    const raw = '{"a":{"x":1},"b":{"x":"\\"x\\":2, {\\"x\\":3"},"c":[{"x":[]},{"x":{}}]}'

    const response = await post('/echo', raw)

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ body: JSON.parse(raw) })
  })
})

describe('prototype poisoning', () => {
  it.each([
    '{"__proto__":{"isAdmin":true}}',
    '{"a":[{"\\u005f_proto__":{"x":1}}]}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
  ])('when %s is sent, then 400 malformed_json and the handler never sees it', async (raw) => {
    const response = await post('/echo', raw)

    expectProblem(response, 400, 'malformed_json')
  })
})

describe('media types and encodings', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON; Charset="utf-8"',
    'application/json; charset=utf8',
  ])('when the body is sent as %s, then it is read', async (contentType) => {
    const response = await post('/echo', '{"a":"é"}', { 'content-type': contentType })

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ body: { a: 'é' } })
  })

  it.each([
    'text/plain',
    'text/plain; charset=utf-8',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'application/json; charset=ISO-8859-1',
    'application/json; charset=latin1; broken',
  ])('when the body is sent as %s, then 415 unsupported_media_type', async (contentType) => {
    const response = await post('/echo', '{"a":1}', { 'content-type': contentType })

    expectProblem(response, 415, 'unsupported_media_type')
  })

  it.each(['gzip', 'br', 'deflate', 'identity, gzip', 'x-unknown'])(
    'when the body claims Content-Encoding %s, then 415 unsupported_content_encoding, saying identity is accepted',
    async (encoding) => {
      const response = await post('/echo', '{"a":1}', { 'content-encoding': encoding })

      expectProblem(response, 415, 'unsupported_content_encoding')
      expect(response.headers['accept-encoding']).toBe('identity')
    },
  )

  it('when the body says Content-Encoding identity, then it is read as sent', async () => {
    const response = await post('/echo', '{"a":1}', { 'content-encoding': 'Identity' })

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ body: { a: 1 } })
  })
})
