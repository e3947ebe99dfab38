import { testLogger } from '../../../../tests/support/logger.ts'
import { buildApp } from '../../src/app.ts'

export type Gateway = Awaited<ReturnType<typeof buildApp>>

/** The real gateway app in front of the given upstreams; tests inject requests into it. */
export async function startGateway(upstreams: {
  ordersUrl: string
  paymentsUrl: string
  timeoutMs?: number
}): Promise<Gateway> {
  const gateway = await buildApp({
    config: {
      ORDERS_SERVICE_URL: upstreams.ordersUrl,
      PAYMENTS_SERVICE_URL: upstreams.paymentsUrl,
      UPSTREAM_TIMEOUT_MS: upstreams.timeoutMs ?? 5_000,
    },
    logger: testLogger,
  })
  await gateway.ready()
  return gateway
}
