import type { ServiceProcess } from '../../scripts/lib/launcher/service-process.ts'
import { ShopLauncher } from '../../scripts/lib/launcher/shop-launcher.ts'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { collectJsonLogs } from './json-logs.ts'

export interface RunningShop {
  gateway: string
  /** The settings the services share: transport, topics, broker database. */
  env: Record<string, string>
  databases: Record<'orders' | 'payments' | 'broker', TestDatabase>
  services: ReadonlyMap<string, ServiceProcess>
  /** Every JSON log line each service wrote, parsed, in order. */
  logs: Map<string, Record<string, unknown>[]>
  /** Starts a stopped service again, on the same port and database. */
  restart(name: 'orders-service' | 'payments-service'): Promise<void>
  stop(): Promise<void>
}

/**
 * The whole system as users run it, through the launcher `npm start` uses: three OS processes,
 * each service with its own database and the embedded transport's log in a third (or the Kafka
 * broker that `KAFKA_BOOTSTRAP_SERVERS` names), the gateway in front.
 */
export async function startShop(
  extraEnv: Record<string, string> = {},
  gatewayOptions: {
    /** A port picked in advance, for a test that must name the gateway's URL before it runs. */
    port?: number
    /** Settings of the gateway alone (AUTH_MODE and the issuer, say). */
    env?: Record<string, string>
  } = {},
): Promise<RunningShop> {
  const databases = {
    orders: await createTestDatabase(),
    payments: await createTestDatabase(),
    broker: await createTestDatabase(),
  }
  const common = {
    // Info logs are collected (not printed) so tests can follow a trace through them.
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    BROKER_DATABASE_URL: databases.broker.url,
    ...extraEnv,
  }
  const logs = new Map<string, Record<string, unknown>[]>()
  const bootstrap = extraEnv.KAFKA_BOOTSTRAP_SERVERS
  const launcher = new ShopLauncher({
    database: {
      kind: 'given',
      urls: { orders: databases.orders.url, payments: databases.payments.url, broker: databases.broker.url },
    },
    transport: bootstrap ? { kind: 'kafka', bootstrap } : { kind: 'embedded' },
    // The services' settings to the gateway too: it reads those it shares (LOG_LEVEL, the HTTP bounds).
    env: common,
    serviceEnv: { 'api-gateway': { UPSTREAM_TIMEOUT_MS: '2000', ...gatewayOptions.env } },
    ...(gatewayOptions.port === undefined ? {} : { ports: { 'api-gateway': gatewayOptions.port } }),
    output: 'pipe',
    onStarted: (service) => logs.set(service.name, collectJsonLogs(service.child, logs.get(service.name))),
    log: () => {},
  })
  const dropDatabases = () => Promise.all(Object.values(databases).map((database) => database.drop()))
  const stop = async () => {
    await launcher.stop()
    await dropDatabases()
  }
  const running = await launcher.start().catch(async (error: unknown) => {
    await stop()
    throw error
  })
  return {
    gateway: running.urls['api-gateway'],
    env: common,
    databases,
    services: launcher.services,
    logs,
    restart: async (name) => {
      await launcher.restart(name)
    },
    stop,
  }
}
