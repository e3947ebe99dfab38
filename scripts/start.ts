/**
 * `npm start`: the whole shop on this machine. Starts an embedded PostgreSQL (data kept in
 * `.data/postgres`) unless DATABASE_URL points at a server, creates and migrates the databases,
 * runs the three services as separate processes, restarts one that dies, and stops everything on
 * Ctrl-C or SIGTERM: the gateway and the services first, the database last, one line a step.
 * `npm run start:kafka` (`--kafka`) also starts a local Kafka broker (data in `.data/kafka`) and
 * runs the services on it, unless KAFKA_BOOTSTRAP_SERVERS names one already.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseChoice } from './lib/launcher/databases.ts'
import { REPO_ROOT, type ServiceName } from './lib/launcher/service-process.ts'
import { ShopLauncher } from './lib/launcher/shop-launcher.ts'
import type { TransportChoice } from './lib/launcher/transport.ts'
import { startLocalAuth } from './lib/local-auth.ts'
import { ensureStorefrontBuilt } from './lib/storefront-build.ts'

if (existsSync(join(REPO_ROOT, '.env'))) process.loadEnvFile(join(REPO_ROOT, '.env'))

const env = process.env
const RESTART_DELAY_MS = 1_000
/** Where PostgreSQL's and Kafka's data are kept between runs. */
const dataDir = env.SHOP_DATA_DIR ?? join(REPO_ROOT, '.data')

function databaseChoice(): DatabaseChoice {
  if (env.DATABASE_URL) {
    // One given database: each service keeps its tables in its own schema there.
    return {
      kind: 'given',
      urls: {
        orders: env.ORDERS_DATABASE_URL ?? env.DATABASE_URL,
        payments: env.PAYMENTS_DATABASE_URL ?? env.DATABASE_URL,
        broker: env.BROKER_DATABASE_URL ?? env.DATABASE_URL,
      },
    }
  }
  const port = Number(env.EMBEDDED_POSTGRES_PORT ?? 54320)
  console.log(`Starting embedded PostgreSQL on 127.0.0.1:${port}`)
  return { kind: 'embedded', dataDir: join(dataDir, 'postgres'), port }
}

function transportChoice(): TransportChoice {
  if (env.KAFKA_BOOTSTRAP_SERVERS) return { kind: 'kafka', bootstrap: env.KAFKA_BOOTSTRAP_SERVERS }
  if (!process.argv.includes('--kafka')) return { kind: 'embedded' }
  const port = Number(env.KAFKA_PORT ?? 9092)
  const kafkaDir = join(dataDir, 'kafka')
  console.log(`Starting Kafka on 127.0.0.1:${port} (data in ${kafkaDir}; the first start fetches its jars)`)
  return { kind: 'kafka', port, dataDir: kafkaDir }
}

const gatewayPort = Number(env.GATEWAY_PORT ?? 8000)
// With AUTH_MODE=oidc: the development issuer (unless OIDC_ISSUER names one) and an internal token.
const auth = await startLocalAuth(env, gatewayPort)

const launcher = new ShopLauncher({
  database: databaseChoice(),
  transport: transportChoice(),
  ports: {
    'payments-service': Number(env.PAYMENTS_PORT ?? 8002),
    'orders-service': Number(env.ORDERS_PORT ?? 8001),
    'api-gateway': gatewayPort,
  },
  serviceEnv: {
    'api-gateway': auth.gateway,
    'orders-service': auth.services,
    'payments-service': auth.services,
  },
  // Each service serves its metrics above its API port, as it does when METRICS_PORT is not set.
  metricsPorts: 'above',
  restartDelayMs: RESTART_DELAY_MS,
  log: console.log,
  reportStop: console.log,
})

let stopping = false
async function stop(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true
    console.log('Stopping…')
    await launcher.stop()
    await auth.issuer?.close()
  }
  process.exit(exitCode)
}

// embedded-postgres's exit hook and the broker's would stop PostgreSQL and Kafka at once, under the
// services still shutting down: stop() shuts everything down in order.
process.removeAllListeners('SIGINT')
process.removeAllListeners('SIGTERM')
process.once('SIGINT', () => void stop(0))
process.once('SIGTERM', () => void stop(0))

try {
  // The gateway serves the storefront's build at /: make it (or remake it after an edit) first.
  ensureStorefrontBuilt()
  const shop = await launcher.start()
  if (shop.postgres) console.log(`PostgreSQL is running; its data is in ${shop.postgres.dataDir}`)
  const line = (label: string, name: ServiceName) => `  ${label.padEnd(18)}${shop.urls[name]}`
  const metricsLine = (label: string, name: ServiceName) =>
    `  ${label.padEnd(18)}${shop.metricsUrls[name]}/metrics`
  const gateway = shop.urls['api-gateway']
  const bootstrap = shop.transportEnv.KAFKA_BOOTSTRAP_SERVERS
  console.log(`
The shop is running:
  storefront        ${gateway}/
${line('API gateway', 'api-gateway')}  (docs: ${gateway}/docs)
${line('orders-service', 'orders-service')}
${line('payments-service', 'payments-service')}
  transport         ${bootstrap ? `Kafka at ${bootstrap}` : 'embedded (PostgreSQL log)'}
${metricsLine('gateway metrics', 'api-gateway')}
${metricsLine('orders metrics', 'orders-service')}
${metricsLine('payments metrics', 'payments-service')}  (Prometheus, loopback only)
${auth.banner ? `${auth.banner}\n` : ''}Press Ctrl-C to stop.`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  void stop(1)
}
