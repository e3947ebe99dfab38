import { ServiceMetrics } from '@shop/platform'
import { testLogger } from '../../../../tests/support/logger.ts'
import { buildApp } from '../../src/app.ts'

export type Gateway = Awaited<ReturnType<typeof buildApp>>

/** The real gateway app in front of the given upstreams; tests inject requests into it. */
export async function startGateway(upstreams: {
  ordersUrl: string
  paymentsUrl: string
  timeoutMs?: number
  /** Off unless a test is about the limit, so the other tests never run into it. */
  rateLimitPerMinute?: number
  /** Serve GET /metrics, as the real process does. */
  metrics?: boolean
}): Promise<Gateway> {
  const gateway = await buildApp({
    config: {
      ORDERS_SERVICE_URL: upstreams.ordersUrl,
      PAYMENTS_SERVICE_URL: upstreams.paymentsUrl,
      UPSTREAM_TIMEOUT_MS: upstreams.timeoutMs ?? 5_000,
      RATE_LIMIT_PER_MINUTE: upstreams.rateLimitPerMinute ?? 0,
    },
    logger: testLogger,
    ...(upstreams.metrics ? { metrics: new ServiceMetrics('api-gateway', { processMetrics: false }) } : {}),
  })
  await gateway.ready()
  return gateway
}
