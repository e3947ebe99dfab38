import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MAX_FORWARDED_HEADER_BYTES } from '../src/http/header-budget.ts'
import { useGatewayOverEcho } from './support/gateway.ts'

const fixture = useGatewayOverEcho()

/** A GET /orders whose header block is about `bytes` long, padded by one filler header. */
const withHeaderBytes = (bytes: number) =>
  fixture.gateway.inject({
    method: 'GET',
    url: '/orders',
    headers: { 'x-user-id': randomUUID(), 'x-filler': 'f'.repeat(bytes) },
  })

describe('headers near Node’s 16 KiB limit', () => {
  // Found by the property tests: such a request passed the gateway, the headers it adds pushed it
  // over the service's limit, and the service's plain-JSON 431 came back as the answer.
  it('when they leave no room for what the gateway adds, then 431 headers_too_large problem, never forwarded', async () => {
    const seenBefore = fixture.echo.seen.length

    const response = await withHeaderBytes(16 * 1024 - 200)

    expect(response.statusCode).toBe(431)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 431, code: 'headers_too_large' })
    expect(fixture.echo.seen.length).toBe(seenBefore)
  })

  it('when they are large but within the budget, then the request is forwarded', async () => {
    const response = await withHeaderBytes(MAX_FORWARDED_HEADER_BYTES - 200)

    expect(response.statusCode).toBe(200)
    expect(response.headers['x-echo']).toBe('yes')
  })
})
