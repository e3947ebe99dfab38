import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { useGatewayOverEcho } from './support/gateway.ts'

/**
 * Errors Fastify and Node answer before any route, hook or error handler runs. The edge promises
 * problem JSON for every 4xx, so createHttpApp sets `frameworkErrors` and `clientErrorHandler`.
 */
const fixture = useGatewayOverEcho({ listen: true })

/** A GET over a real socket: an oversized header never reaches inject's router. */
function getOverSocket(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; contentType: string }>((resolve, reject) => {
    const outgoing = request(new URL(path, fixture.url), { headers }, (response) => {
      response.resume()
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '' }),
      )
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

describe('errors raised before routing', () => {
  it('when the path is not valid percent-encoding, then 400 problem JSON', async () => {
    const response = await fixture.gateway.inject({
      method: 'GET',
      url: '/orders/%zz',
      headers: { 'x-user-id': randomUUID() },
    })

    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('when a path parameter is longer than the router allows, then a 4xx problem JSON', async () => {
    const response = await fixture.gateway.inject({
      method: 'GET',
      url: `/orders/${'a'.repeat(101)}`,
      headers: { 'x-user-id': randomUUID() },
    })

    expect(response.statusCode).toBeGreaterThanOrEqual(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('when the headers are larger than Node accepts, then 431 problem JSON', async () => {
    const response = await getOverSocket('/orders', { 'x-user-id': `${randomUUID()}${'a'.repeat(20_000)}` })

    expect(response.status).toBe(431)
    expect(response.contentType).toMatch(/^application\/problem\+json/)
  })
})
