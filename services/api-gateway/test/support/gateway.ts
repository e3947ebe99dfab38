import type { ServiceMetrics } from '@shop/platform'
import { afterAll, beforeAll } from 'vitest'
import { testLogger } from '../../../../tests/support/logger.ts'
import { buildApp, type GatewayDeps } from '../../src/app.ts'
import { type RealUpstreams, startRealUpstreams } from './real-upstreams.ts'
import { type StubUpstream, startEchoUpstream } from './stub-upstreams.ts'

export type Gateway = Awaited<ReturnType<typeof buildApp>>

/** The real gateway app in front of the given upstreams; tests inject requests into it. */
export async function startGateway(upstreams: {
  ordersUrl: string
  paymentsUrl: string
  timeoutMs?: number
  /** Off unless a test is about the limit, so the other tests never run into it. */
  rateLimitPerMinute?: number
  rateLimitPerIpPerMinute?: number
  /** Record request durations, as the real process does. */
  metrics?: ServiceMetrics
  /** AUTH_MODE and its settings, INTERNAL_AUTH_TOKEN; header mode unless given. */
  auth?: Omit<
    GatewayDeps['config'],
    'ORDERS_SERVICE_URL' | 'PAYMENTS_SERVICE_URL' | 'UPSTREAM_TIMEOUT_MS' | 'RATE_LIMIT_PER_MINUTE'
  >
  issuerKeyTiming?: GatewayDeps['issuerKeyTiming']
  /** Where the gateway logs; silent unless a test reads its logs. */
  logger?: GatewayDeps['logger']
}): Promise<Gateway> {
  const gateway = await buildApp({
    config: {
      ORDERS_SERVICE_URL: upstreams.ordersUrl,
      PAYMENTS_SERVICE_URL: upstreams.paymentsUrl,
      UPSTREAM_TIMEOUT_MS: upstreams.timeoutMs ?? 5_000,
      RATE_LIMIT_PER_MINUTE: upstreams.rateLimitPerMinute ?? 0,
      RATE_LIMIT_PER_IP_PER_MINUTE: upstreams.rateLimitPerIpPerMinute ?? 0,
      ...upstreams.auth,
    },
    logger: upstreams.logger ?? testLogger,
    ...(upstreams.issuerKeyTiming ? { issuerKeyTiming: upstreams.issuerKeyTiming } : {}),
    ...(upstreams.metrics ? { metrics: upstreams.metrics } : {}),
  })
  await gateway.ready()
  return gateway
}

export interface EchoGateway {
  echo: StubUpstream
  gateway: Gateway
  /** The gateway's address when `listen` was asked for: some requests exist only on the wire. */
  url: string
}

/**
 * The gateway in front of an echo stub standing in for both services, for one test file: started
 * before its tests, closed after them. Read the fields inside tests, once the hooks have run.
 */
export function useGatewayOverEcho(options: { listen?: boolean } = {}): EchoGateway {
  const fixture = {} as EchoGateway
  beforeAll(async () => {
    fixture.echo = await startEchoUpstream()
    fixture.gateway = await startGateway({ ordersUrl: fixture.echo.url, paymentsUrl: fixture.echo.url })
    if (options.listen) fixture.url = await fixture.gateway.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await fixture.gateway?.close()
    await fixture.echo?.close()
  })
  return fixture
}

export interface RealGateway {
  upstreams: RealUpstreams
  gateway: Gateway
}

/**
 * The gateway in front of the real orders-service and payments-service, for one test file:
 * started before its tests, closed after them. Read the fields inside tests, once the hooks have run.
 */
export function useGatewayOverRealUpstreams(): RealGateway {
  const fixture = {} as RealGateway
  beforeAll(async () => {
    fixture.upstreams = await startRealUpstreams()
    fixture.gateway = await startGateway(fixture.upstreams)
  })
  afterAll(async () => {
    await fixture.gateway?.close()
    await fixture.upstreams?.close()
  })
  return fixture
}
