import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { useGatewayOverEcho } from './support/gateway.ts'

/** The gateway on a real socket too: some request shapes exist only on the wire, not through inject. */
const fixture = useGatewayOverEcho({ listen: true })

/** A raw node:http POST, so the test controls the framing headers a real client would send. */
function postRaw(path: string, headers: Record<string, string>, chunks: string[]) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = request(new URL(path, fixture.url), { method: 'POST', headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    outgoing.on('error', reject)
    for (const chunk of chunks) outgoing.write(chunk)
    outgoing.end()
  })
}

describe('requests forwarded by the gateway', () => {
  it('when a JSON body is sent, then the service receives the exact bytes and content type', async () => {
    // Odd spacing, a trailing zero and an escape: any parse-and-re-serialise in the gateway changes them.
    const raw = '{ "amount" : 10.50,\n  "description": "caf\\u00e9" }'

    const response = await fixture.gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'x-user-id': randomUUID(), 'content-type': 'application/json; charset=utf-8' },
      payload: raw,
    })

    expect(response.statusCode).toBe(200)
    const seen = response.json()
    expect(seen).toMatchObject({ method: 'POST', url: '/orders', body: raw })
    expect(seen.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(raw)))
  })

  it('when the body arrives chunked, then the service receives it whole, with a length', async () => {
    const response = await postRaw(
      '/accounts/topup',
      { 'x-user-id': randomUUID(), 'content-type': 'application/json' },
      ['{"amount":', '12.5}'],
    )

    expect(response.status).toBe(200)
    const seen = JSON.parse(response.body)
    expect(seen.body).toBe('{"amount":12.5}')
    expect(seen.headers['transfer-encoding']).toBeUndefined()
  })

  it('when the client sends Expect: 100-continue, then the request is forwarded, not answered 503', async () => {
    // curl and .NET clients send this header for larger bodies; the gateway has already read the
    // body by the time it forwards, so the header must not make the upstream call fail.
    const payload = JSON.stringify({ amount: 1, description: 'd'.repeat(400) })

    const response = await postRaw(
      '/orders',
      {
        'x-user-id': randomUUID(),
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
        expect: '100-continue',
      },
      [payload],
    )

    expect(response.status).toBe(200)
    expect(JSON.parse(response.body).body).toBe(payload)
  })

  it.each([
    ['Keep-Alive', { 'keep-alive': 'timeout=5' }],
    ['Upgrade', { upgrade: 'websocket' }],
  ])('when the client sends a stray %s header, then the request is still forwarded', async (_name, extra) => {
    const response = await fixture.gateway.inject({
      method: 'GET',
      url: '/orders',
      headers: { 'x-user-id': randomUUID(), ...extra },
    })

    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ method: 'GET', url: '/orders' })
  })

  it('when a GET carries a query string, then the service receives path and query unchanged', async () => {
    const response = await fixture.gateway.inject({
      method: 'GET',
      url: '/orders?limit=7&unknown=a%20b',
      headers: { 'x-user-id': randomUUID() },
    })

    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ method: 'GET', url: '/orders?limit=7&unknown=a%20b', body: '' })
  })
})
