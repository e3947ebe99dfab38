/**
 * `npm start`: the whole shop on this machine. Starts an embedded PostgreSQL (data kept in
 * `.data/postgres`) unless DATABASE_URL points at a server, creates and migrates the databases,
 * runs the three services as separate processes, restarts one that dies, and stops everything on
 * Ctrl-C or SIGTERM. `npm run start:kafka` (`--kafka`) also starts a local Kafka broker (data in
 * `.data/kafka`) and runs the services on it, unless KAFKA_BOOTSTRAP_SERVERS names one already.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { METRICS_PORT_OFFSET } from '../packages/platform/src/config.ts'
import { type KafkaBroker, startKafkaBroker } from './kafka/broker.ts'
import {
  ensureDatabase,
  type RunningPostgres,
  startEmbeddedPostgres,
  withDatabase,
} from './lib/embedded-postgres.ts'
import { type LocalAuth, startLocalAuth } from './lib/local-auth.ts'
import {
  REPO_ROOT,
  type ServiceName,
  type ServiceProcess,
  startServiceProcess,
} from './lib/service-process.ts'
import { ensureStorefrontBuilt } from './lib/storefront-build.ts'

if (existsSync(join(REPO_ROOT, '.env'))) process.loadEnvFile(join(REPO_ROOT, '.env'))

const env = process.env
const ports: Record<ServiceName, number> = {
  'payments-service': Number(env.PAYMENTS_PORT ?? 8002),
  'orders-service': Number(env.ORDERS_PORT ?? 8001),
  'api-gateway': Number(env.GATEWAY_PORT ?? 8000),
}
// Each service serves its metrics above its API port, as it does when METRICS_PORT is not set.
const metricsPort = (name: ServiceName) => ports[name] + METRICS_PORT_OFFSET
const RESTART_DELAY_MS = 1_000

let postgres: RunningPostgres | undefined
let kafka: KafkaBroker | undefined
let auth: LocalAuth | undefined
const running = new Map<ServiceName, ServiceProcess>()
let stopping = false

async function databaseUrls(): Promise<Record<'orders' | 'payments' | 'broker', string>> {
  if (env.DATABASE_URL) {
    // One given database: each service keeps its tables in its own schema there.
    return {
      orders: env.ORDERS_DATABASE_URL ?? env.DATABASE_URL,
      payments: env.PAYMENTS_DATABASE_URL ?? env.DATABASE_URL,
      broker: env.BROKER_DATABASE_URL ?? env.DATABASE_URL,
    }
  }
  const port = Number(env.EMBEDDED_POSTGRES_PORT ?? 54320)
  console.log(`Starting embedded PostgreSQL on 127.0.0.1:${port}`)
  postgres = await startEmbeddedPostgres({
    dataDir: join(REPO_ROOT, '.data/postgres'),
    port,
    persistent: true,
    log: console.log,
  })
  console.log(`PostgreSQL is running; its data is in ${postgres.dataDir}`)
  const urls = { orders: 'shop_orders', payments: 'shop_payments', broker: 'shop_broker' }
  for (const database of Object.values(urls)) await ensureDatabase(postgres.adminUrl, database)
  return {
    orders: withDatabase(postgres.adminUrl, urls.orders),
    payments: withDatabase(postgres.adminUrl, urls.payments),
    broker: withDatabase(postgres.adminUrl, urls.broker),
  }
}

async function kafkaSettings(): Promise<Record<string, string>> {
  if (env.KAFKA_BOOTSTRAP_SERVERS) return { KAFKA_BOOTSTRAP_SERVERS: env.KAFKA_BOOTSTRAP_SERVERS }
  if (!process.argv.includes('--kafka')) return {}
  const port = Number(env.KAFKA_PORT ?? 9092)
  console.log(`Starting Kafka on 127.0.0.1:${port} (data in .data/kafka; the first start fetches its jars)`)
  kafka = await startKafkaBroker({ port, dataDir: join(REPO_ROOT, '.data/kafka') })
  return { KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap }
}

async function run(name: ServiceName, serviceEnv: Record<string, string>): Promise<void> {
  const service = await startServiceProcess({
    name,
    port: ports[name],
    metricsPort: metricsPort(name),
    env: serviceEnv,
  })
  running.set(name, service)
  service.child.once('exit', (code, signal) => {
    running.delete(name)
    if (stopping) return
    console.error(`${name} exited (${signal ?? code}); restarting in ${RESTART_DELAY_MS} ms`)
    setTimeout(() => void run(name, serviceEnv).catch(fail), RESTART_DELAY_MS)
  })
}

async function stop(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true
    console.log('Stopping…')
    await Promise.all([...running.values()].map((service) => service.stop()))
    await kafka?.stop()
    await auth?.issuer?.close()
    await postgres?.stop()
  }
  process.exit(exitCode)
}

function fail(error: unknown): void {
  console.error(error instanceof Error ? error.message : error)
  void stop(1)
}

// embedded-postgres's exit hook would stop PostgreSQL and exit with 130 at once, under the
// services still shutting down: stop() shuts everything down in order.
process.removeAllListeners('SIGINT')
process.removeAllListeners('SIGTERM')
process.once('SIGINT', () => void stop(0))
process.once('SIGTERM', () => void stop(0))

try {
  // The gateway serves the storefront's build at /: make it (or remake it after an edit) first.
  ensureStorefrontBuilt()
  const [urls, transport] = await Promise.all([databaseUrls(), kafkaSettings()])
  auth = await startLocalAuth(env, ports['api-gateway'])
  const shared = { BROKER_DATABASE_URL: urls.broker, ...transport, ...auth.services }
  await Promise.all([
    run('payments-service', { ...shared, DATABASE_URL: urls.payments }),
    run('orders-service', { ...shared, DATABASE_URL: urls.orders }),
  ])
  await run('api-gateway', {
    ORDERS_SERVICE_URL: `http://127.0.0.1:${ports['orders-service']}`,
    PAYMENTS_SERVICE_URL: `http://127.0.0.1:${ports['payments-service']}`,
    ...auth.gateway,
  })
  console.log(`
The shop is running:
  storefront        http://127.0.0.1:${ports['api-gateway']}/
  API gateway       http://127.0.0.1:${ports['api-gateway']}  (docs: http://127.0.0.1:${ports['api-gateway']}/docs)
  orders-service    http://127.0.0.1:${ports['orders-service']}
  payments-service  http://127.0.0.1:${ports['payments-service']}
  transport         ${transport.KAFKA_BOOTSTRAP_SERVERS ? `Kafka at ${transport.KAFKA_BOOTSTRAP_SERVERS}` : 'embedded (PostgreSQL log)'}
  gateway metrics   http://127.0.0.1:${metricsPort('api-gateway')}/metrics
  orders metrics    http://127.0.0.1:${metricsPort('orders-service')}/metrics
  payments metrics  http://127.0.0.1:${metricsPort('payments-service')}/metrics  (Prometheus, loopback only)
${auth.banner ? `${auth.banner}\n` : ''}Press Ctrl-C to stop.`)
} catch (error) {
  fail(error)
}
