import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testLogger } from '../../../tests/support/logger.ts'
import { createHttpApp, type HttpApp } from '../src/http/create-http-app.ts'
import { type Served, serveHttp } from '../src/http/serve.ts'
import { ServiceMetrics } from '../src/metrics.ts'

/** How a service is put on the network: its API on one listener, its metrics on another. */
describe('serveHttp', () => {
  let app: HttpApp
  let served: Served

  beforeAll(async () => {
    const metrics = new ServiceMetrics('serve-test', { processMetrics: false })
    app = await createHttpApp({ title: 'serve', description: 'serve test', logger: testLogger, metrics })
    app.get('/things', async () => ({ things: [] }))
    served = await serveHttp(
      app,
      metrics,
      {
        HOST: '127.0.0.1',
        PORT: 0,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: 0,
        HEADERS_TIMEOUT_MS: 5_000,
        REQUEST_TIMEOUT_MS: 6_000,
        KEEP_ALIVE_TIMEOUT_MS: 7_000,
        MAX_CONNECTIONS: 50,
      },
      testLogger,
    )
  })
  afterAll(async () => {
    for (const listener of served?.listeners ?? []) await listener.close()
  })

  it('when /metrics is asked on the API port, then it is 404 route_not_found problem', async () => {
    const response = await fetch(`${served.url}/metrics`)

    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(await response.json()).toMatchObject({ code: 'route_not_found' })
  })

  it('when the metrics listener is scraped, then it serves the Prometheus text with the API’s request durations', async () => {
    expect((await fetch(`${served.url}/things`)).status).toBe(200)

    const response = await fetch(`${served.metricsUrl}/metrics`)

    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
    expect(await response.text()).toMatch(
      /http_request_duration_seconds_count\{service="serve-test",[^}]*route="\/things"[^}]*\} 1/,
    )
  })

  it('when anything else is asked of the metrics listener, then 404 problem', async () => {
    const response = await fetch(`${served.metricsUrl}/things`)

    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 'route_not_found' })
  })

  it('when both listen, then they are apart and both bound by the connection limits', async () => {
    expect(served.metricsUrl).not.toBe(served.url)
    expect(served.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(app.server).toMatchObject({
      headersTimeout: 5_000,
      requestTimeout: 6_000,
      keepAliveTimeout: 7_000,
    })
    expect(app.server.maxConnections).toBe(50)
  })
})
