import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type RealUpstreams, startRealUpstreams } from './support/real-upstreams.ts'
import { closedPortUrl, type StubUpstream, startHangingUpstream } from './support/stub-upstreams.ts'

let upstreams: RealUpstreams
let hanging: StubUpstream
const gateways: Gateway[] = []

/** Each case gets its own gateway; all are closed at the end. */
async function gatewayFor(ordersUrl: string, paymentsUrl: string, timeoutMs?: number): Promise<Gateway> {
  const gateway = await startGateway({ ordersUrl, paymentsUrl, ...(timeoutMs ? { timeoutMs } : {}) })
  gateways.push(gateway)
  return gateway
}

beforeAll(async () => {
  upstreams = await startRealUpstreams()
  hanging = await startHangingUpstream()
})

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()))
  await hanging?.close()
  await upstreams?.close()
})

describe('GET /ready of the gateway', () => {
  it('when both services are ready, then 200 with both checks passing', async () => {
    const gateway = await gatewayFor(upstreams.ordersUrl, upstreams.paymentsUrl)

    const response = await gateway.inject({ method: 'GET', url: '/ready' })

    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ready', checks: { orders: true, payments: true } })
  })

  it('when payments-service is down, then 503 naming payments as the failing check', async () => {
    const gateway = await gatewayFor(upstreams.ordersUrl, await closedPortUrl())

    const response = await gateway.inject({ method: 'GET', url: '/ready' })

    expect(response.statusCode).toBe(503)
    expect(response.json()).toEqual({ status: 'not_ready', checks: { orders: true, payments: false } })
  })

  it('when orders-service is down, then 503 naming orders as the failing check', async () => {
    const gateway = await gatewayFor(await closedPortUrl(), upstreams.paymentsUrl)

    const response = await gateway.inject({ method: 'GET', url: '/ready' })

    expect(response.statusCode).toBe(503)
    expect(response.json()).toEqual({ status: 'not_ready', checks: { orders: false, payments: true } })
  })

  it('when a service hangs, then /ready answers 503 within about the upstream timeout', async () => {
    const gateway = await gatewayFor(hanging.url, upstreams.paymentsUrl, 300)
    const started = performance.now()

    const response = await gateway.inject({ method: 'GET', url: '/ready' })

    expect(response.statusCode).toBe(503)
    expect(response.json().checks).toEqual({ orders: false, payments: true })
    // An orchestrator's probe must get an answer, not a hung connection.
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
