import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useGatewayOverRealUpstreams } from './support/gateway.ts'

const shop = useGatewayOverRealUpstreams()

interface Refusal {
  name: string
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS'
  url: string
  body?: string
  headers?: Record<string, string>
  status: number
  code: string
  allow?: string
}

const json = { 'content-type': 'application/json' }

/** Requests refused for how they are written, whichever process refuses them. */
const refusals: Refusal[] = [
  {
    name: 'an order whose amount is given twice',
    method: 'POST',
    url: '/orders',
    body: '{"amount":1,"amount":1000000}',
    headers: json,
    status: 400,
    code: 'duplicate_json_key',
  },
  {
    name: 'a top-up of 25.000000000000000001',
    method: 'POST',
    url: '/accounts/topup',
    body: '{"amount":25.000000000000000001}',
    headers: json,
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'an order of 0.1000000000000000000001',
    method: 'POST',
    url: '/orders',
    body: '{"amount":0.1000000000000000000001}',
    headers: json,
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'a top-up sent as text/plain',
    method: 'POST',
    url: '/accounts/topup',
    body: '{"amount":1}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'an order declared UTF-16',
    method: 'POST',
    url: '/orders',
    body: '{"amount":1}',
    headers: { 'content-type': 'application/json; charset=utf-16' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a gzip-encoded order',
    method: 'POST',
    url: '/orders',
    body: '{"amount":1}',
    headers: { ...json, 'content-encoding': 'gzip' },
    status: 415,
    code: 'unsupported_content_encoding',
  },
  {
    name: 'a balance with an unknown query parameter',
    method: 'GET',
    url: '/accounts/balance?x=1',
    status: 400,
    code: 'invalid_query',
  },
  {
    name: 'a list with an unknown query parameter',
    method: 'GET',
    url: '/orders?foo=1',
    status: 400,
    code: 'invalid_query',
  },
  {
    name: 'an order with a query',
    method: 'POST',
    url: '/orders?amount=1000',
    body: '{"amount":1}',
    headers: json,
    status: 400,
    code: 'invalid_query',
  },
  {
    name: 'DELETE /orders',
    method: 'DELETE',
    url: '/orders',
    status: 405,
    code: 'method_not_allowed',
    allow: 'GET, HEAD, POST',
  },
  {
    name: 'PUT /accounts/balance',
    method: 'PUT',
    url: '/accounts/balance',
    body: '{"amount":1}',
    headers: json,
    status: 405,
    code: 'method_not_allowed',
    allow: 'GET, HEAD',
  },
  {
    name: 'OPTIONS /accounts/charge',
    method: 'OPTIONS',
    url: '/accounts/charge',
    status: 405,
    code: 'method_not_allowed',
    allow: 'POST',
  },
]

const serviceOf = (url: string) =>
  url.startsWith('/orders') ? shop.upstreams.ordersUrl : shop.upstreams.paymentsUrl

/** The same request sent straight to the service that owns the path, over real HTTP. */
async function sendDirect(refusal: Refusal, userId: string) {
  const response = await fetch(new URL(refusal.url, serviceOf(refusal.url)), {
    method: refusal.method,
    headers: { 'x-user-id': userId, ...refusal.headers },
    ...(refusal.body === undefined ? {} : { body: refusal.body }),
  })
  const body = (await response.json()) as { code?: string }
  return { status: response.status, allow: response.headers.get('allow'), body }
}

describe('refusals through the gateway', () => {
  it.each(refusals)(
    'when $name is sent, then the client gets $status $code, as from the service itself, and nothing is stored',
    async (refusal) => {
      // An account with money, so that only the way the request is written can explain a refusal.
      const userId = randomUUID()
      await shop.gateway.inject({
        method: 'POST',
        url: '/accounts',
        headers: { 'x-user-id': userId, ...json },
        payload: '{"initial_balance":100}',
      })
      const before = await shop.upstreams.stored()

      const response = await shop.gateway.inject({
        method: refusal.method,
        url: refusal.url,
        headers: { 'x-user-id': userId, ...refusal.headers },
        ...(refusal.body === undefined ? {} : { payload: refusal.body }),
      })
      const direct = await sendDirect(refusal, userId)

      expect(response.statusCode, response.body).toBe(refusal.status)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: refusal.status, code: refusal.code })
      expect(response.headers.allow).toBe(refusal.allow)
      expect({ status: direct.status, code: direct.body.code, allow: direct.allow ?? undefined }).toEqual({
        status: refusal.status,
        code: refusal.code,
        allow: refusal.allow,
      })
      expect(await shop.upstreams.stored()).toEqual(before)
    },
  )
})
