import { randomUUID } from 'node:crypto'
import { ServiceMetrics } from '@shop/platform'
import { describe, expect, it } from 'vitest'
import { startGateway, useGatewayOverEcho } from './support/gateway.ts'

const fixture = useGatewayOverEcho()

describe('the gateway’s own routes', () => {
  it('when GET /health is asked, then 200 without asking any upstream', async () => {
    const seenBefore = fixture.echo.seen.length

    const response = await fixture.gateway.inject({ method: 'GET', url: '/health' })

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
    expect(fixture.echo.seen.length).toBe(seenBefore)
  })

  it.each([
    ['GET', '/nowhere'],
    ['DELETE', '/orders/x/y'],
    ['POST', '/accounts/charge/now'],
  ])('when %s %s has no route, then 404 route_not_found problem, never forwarded', async (method, url) => {
    const seenBefore = fixture.echo.seen.length

    const response = await fixture.gateway.inject({
      method: method as 'GET' | 'DELETE',
      url,
      headers: { 'x-user-id': randomUUID() },
    })

    expect(response.statusCode).toBe(404)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 404, code: 'route_not_found' })
    expect(fixture.echo.seen.length).toBe(seenBefore)
  })

  it.each([
    ['DELETE', '/orders', 'GET, HEAD, POST'],
    ['GET', '/accounts/charge', 'POST'],
    ['PUT', '/accounts/balance', 'GET, HEAD'],
    ['PATCH', `/orders/${randomUUID()}`, 'GET, HEAD'],
  ])(
    'when %s %s is a method the path lacks, then 405 with Allow: %s, never forwarded',
    async (method, url, allow) => {
      const seenBefore = fixture.echo.seen.length

      const response = await fixture.gateway.inject({
        method: method as 'GET' | 'DELETE' | 'PUT' | 'PATCH',
        url,
        headers: { 'x-user-id': randomUUID() },
      })

      expect(response.statusCode).toBe(405)
      expect(response.headers.allow).toBe(allow)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 405, code: 'method_not_allowed' })
      expect(fixture.echo.seen.length).toBe(seenBefore)
    },
  )

  it('when /ws is asked with a query parameter besides user_id, then 400 invalid_query, never forwarded', async () => {
    const seenBefore = fixture.echo.seen.length

    const response = await fixture.gateway.inject({
      method: 'GET',
      url: `/ws?user_id=${randomUUID()}&since=0`,
    })

    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 400, code: 'invalid_query' })
    expect(response.json().errors).toEqual([{ field: '/since', message: expect.any(String) }])
    expect(fixture.echo.seen.length).toBe(seenBefore)
  })

  it('when a body is over 64 KiB, then 413 problem and the upstream never sees it', async () => {
    const seenBefore = fixture.echo.seen.length
    const payload = JSON.stringify({ amount: 1, description: 'x'.repeat(64 * 1024) })

    const response = await fixture.gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'x-user-id': randomUUID(), 'content-type': 'application/json' },
      payload,
    })

    expect(response.statusCode).toBe(413)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: 413, code: 'payload_too_large' })
    expect(fixture.echo.seen.length).toBe(seenBefore)
  })

  it('when a body is just under 64 KiB, then it is forwarded (the limit is not lower than promised)', async () => {
    const filler = 'x'.repeat(64 * 1024 - 100)
    const payload = JSON.stringify({ amount: 1, description: filler })

    const response = await fixture.gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'x-user-id': randomUUID(), 'content-type': 'application/json' },
      payload,
    })

    expect(response.statusCode).toBe(200)
    expect(response.json().body).toHaveLength(payload.length)
  })
})

describe('the gateway’s metrics', () => {
  it('when GET /metrics is asked on the public port, then 404 route_not_found: metrics have a listener of their own', async () => {
    const gateway = await startGateway({
      ordersUrl: fixture.echo.url,
      paymentsUrl: fixture.echo.url,
      metrics: new ServiceMetrics('api-gateway', { processMetrics: false }),
    })

    const response = await gateway.inject({ method: 'GET', url: '/metrics' })

    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ code: 'route_not_found' })
    await gateway.close()
  })
})

describe('the gateway’s API documentation', () => {
  it('when GET /docs/json is asked, then an OpenAPI document lists every public path and operation', async () => {
    const response = await fixture.gateway.inject({ method: 'GET', url: '/docs/json' })

    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toMatch(/^3\./)
    const operations = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(operations.sort()).toEqual(
      [
        'POST /accounts',
        'POST /accounts/topup',
        'GET /accounts/balance',
        'GET /accounts/statement',
        'POST /accounts/charge',
        'POST /orders',
        'GET /orders',
        'GET /orders/{order_id}',
        'POST /orders/{order_id}/cancel',
        'POST /orders/{order_id}/refunds',
        'GET /orders/{order_id}/refunds',
        // The live order status WebSocket.
        'GET /ws',
      ].sort(),
    )
  })

  it('when the document describes a business route, then it requires X-User-Id and documents the problem answers', async () => {
    const document = (await fixture.gateway.inject({ method: 'GET', url: '/docs/json' })).json()
    const placeOrder = document.paths['/orders'].post

    expect(placeOrder.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'x-user-id', required: true })]),
    )
    expect(Object.keys(placeOrder.responses)).toEqual(expect.arrayContaining(['201', '400', '422']))
    expect(document.paths['/orders/{order_id}'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'order_id' })]),
    )
  })

  it('when the document describes answers, then errors are problem JSON and a 429 promises Retry-After', async () => {
    const document = (await fixture.gateway.inject({ method: 'GET', url: '/docs/json' })).json()
    const listOrders = document.paths['/orders'].get.responses

    expect(Object.keys(listOrders['400'].content)).toEqual(['application/problem+json'])
    expect(Object.keys(listOrders['200'].content)).toEqual(['application/json'])
    // OpenAPI keeps `required` on the header object; a boolean `required` inside a schema is invalid.
    expect(listOrders['429'].headers['retry-after']).toMatchObject({
      required: true,
      schema: { type: 'integer' },
    })
    expect(listOrders['429'].headers['retry-after'].schema).not.toHaveProperty('required')
    expect(listOrders['200'].headers['x-ratelimit-remaining']).not.toHaveProperty('required')
  })

  it('when the document is read, then it says how a method or a path it does not list is answered', async () => {
    const document = (await fixture.gateway.inject({ method: 'GET', url: '/docs/json' })).json()

    expect(document.info.description).toMatch(/405 `method_not_allowed`, with `Allow`/)
    expect(document.info.description).toMatch(/404 `route_not_found`/)
  })

  it('when the document describes POST /orders, then a link leads from the new order to GET /orders/{order_id}', async () => {
    const document = (await fixture.gateway.inject({ method: 'GET', url: '/docs/json' })).json()

    expect(document.paths['/orders'].post.responses['201'].links.getOrder).toEqual({
      operationId: 'getOrder',
      parameters: { order_id: '$response.body#/id', 'header.x-user-id': '$request.header.x-user-id' },
    })
    expect(document.paths['/orders/{order_id}'].get.operationId).toBe('getOrder')
  })

  it('when GET /docs is asked, then an HTML page is served', async () => {
    const response = await fixture.gateway.inject({ method: 'GET', url: '/docs' })
    // swagger-ui may redirect /docs to /docs/ (or /docs/static/index.html); follow it once.
    const page =
      response.statusCode >= 300 && response.statusCode < 400
        ? await fixture.gateway.inject({
            method: 'GET',
            url: new URL(String(response.headers.location), 'http://gw/docs').pathname,
          })
        : response

    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toMatch(/<html/i)
  })
})
