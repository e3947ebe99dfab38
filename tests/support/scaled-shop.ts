import { randomUUID } from 'node:crypto'
import type { TransportAccess } from '../../scripts/chaos/audit.ts'
import {
  freePort,
  type ServiceProcess,
  startServiceProcess,
} from '../../scripts/lib/launcher/service-process.ts'
import { backendWiring } from '../../scripts/lib/launcher/shop-wiring.ts'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { collectJsonLogs, type LogLine } from './json-logs.ts'

export type ScaledService = 'orders-service' | 'payments-service'

export interface Instance {
  /** The service and its number, as `orders-service#1`. */
  id: string
  service: ScaledService
  url: string
  /** Every JSON log line it wrote, parsed, in order. */
  logs: LogLine[]
  /** When the test SIGKILLed it; undefined while it runs. */
  killedAt: number | undefined
}

export interface ScaledShop {
  instances: Instance[]
  /** The services' databases (the embedded transport's log is in a third). */
  databaseUrls: { orders: string; payments: string }
  /** What a client of the transport needs to read the topics. */
  access: TransportAccess
  topics: { orders: string; payments: string }
  /** A running instance of the service that serves the path, each in turn, as a load balancer would. */
  route(path: string): string
  /** SIGKILL: the process gets no chance to leave its group, commit or close a connection. */
  kill(instance: Instance): Promise<void>
  stop(): Promise<void>
}

const SERVICES: ScaledService[] = ['orders-service', 'payments-service']

/**
 * Several OS processes of each service on the same databases and transport, without a gateway:
 * requests go straight to the instances. Each instance logs at debug level, so that which
 * instance's consumer handled which message, on which partition and when, can be read back.
 */
export async function startScaledShop(options: {
  instancesPerService: number
  /** Kafka's bootstrap address; without it the embedded transport. */
  kafkaBootstrap?: string
  partitions: number
}): Promise<ScaledShop> {
  const databases: Record<'orders' | 'payments' | 'broker', TestDatabase> = {
    orders: await createTestDatabase(),
    payments: await createTestDatabase(),
    broker: await createTestDatabase(),
  }
  // Topics and groups of their own, so nothing is shared with another suite on the same broker.
  const run = randomUUID().slice(0, 8)
  const topics = { orders: `order_created_${run}`, payments: `payment_finished_${run}` }
  const access: TransportAccess = options.kafkaBootstrap
    ? { KAFKA_BOOTSTRAP_SERVERS: options.kafkaBootstrap }
    : { BROKER_DATABASE_URL: databases.broker.url }
  const transportEnv = { KAFKA_BOOTSTRAP_SERVERS: options.kafkaBootstrap ?? '' }
  const databaseUrls = {
    orders: databases.orders.url,
    payments: databases.payments.url,
    broker: databases.broker.url,
  }
  const envOf = (service: ScaledService) => ({
    ...backendWiring(service, { databaseUrls, transportEnv }),
    LOG_LEVEL: 'debug',
    ORDERS_TOPIC: topics.orders,
    PAYMENT_RESULTS_TOPIC: topics.payments,
    TOPIC_PARTITIONS: String(options.partitions),
    KAFKA_CONSUMER_GROUP: `${service}-${run}`,
  })

  const processes = new Map<Instance, ServiceProcess>()
  const launch = async (service: ScaledService, n: number) => {
    const started = await startServiceProcess({
      name: service,
      port: await freePort(),
      env: envOf(service),
      output: 'pipe',
    })
    const instance: Instance = {
      id: `${service}#${n}`,
      service,
      url: started.url,
      logs: collectJsonLogs(started.child),
      killedAt: undefined,
    }
    processes.set(instance, started)
    return instance
  }
  const stop = async () => {
    await Promise.all([...processes.values()].map((each) => each.stop()))
    await Promise.all(Object.values(databases).map((database) => database.drop()))
  }
  const numbers = Array.from({ length: options.instancesPerService }, (_, index) => index + 1)
  const launched = await Promise.allSettled(
    SERVICES.flatMap((service) => numbers.map((n) => launch(service, n))),
  )
  const instances = launched.flatMap((each) => (each.status === 'fulfilled' ? [each.value] : []))
  if (instances.length < launched.length) {
    await stop()
    throw launched.find((each) => each.status === 'rejected')?.reason
  }

  const turns = new Map<ScaledService, number>()
  return {
    instances,
    databaseUrls: { orders: databases.orders.url, payments: databases.payments.url },
    access,
    topics,
    route(path) {
      const service = path.startsWith('/orders') ? 'orders-service' : 'payments-service'
      const running = instances.filter((each) => each.service === service && each.killedAt === undefined)
      const turn = turns.get(service) ?? 0
      turns.set(service, turn + 1)
      return (running[turn % running.length] as Instance).url
    },
    async kill(instance) {
      const { child } = processes.get(instance) as ServiceProcess
      const exited = new Promise((resolve) => child.once('exit', resolve))
      instance.killedAt = Date.now()
      child.kill('SIGKILL')
      await exited
    },
    stop,
  }
}
