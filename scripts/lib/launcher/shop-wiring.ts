/**
 * How the shop's processes are wired to each other: which databases there are, which services run
 * in which order, and the settings each one is given. A new service or a new shared setting is
 * added here, and every runner (npm start, the benchmark, the chaos suite, soak, test:api and the
 * tests) starts it the same way.
 */
import type { ServiceName } from './service-process.ts'

export type DatabaseRole = 'orders' | 'payments' | 'broker'

/** The databases an embedded PostgreSQL holds for the shop: one per service, one for the embedded log. */
export const SHOP_DATABASES: Record<DatabaseRole, string> = {
  orders: 'shop_orders',
  payments: 'shop_payments',
  broker: 'shop_broker',
}

/** The services that own a database and talk through the transport; they start before the gateway. */
export const BACKENDS = ['payments-service', 'orders-service'] as const
export type BackendName = (typeof BACKENDS)[number]

/**
 * The order in which the launcher starts the processes: each group at once, once every process of
 * the group before answers its /health. A process the others need (an identity issuer, say) is a
 * group of its own before them.
 */
export const START_ORDER: readonly (readonly ServiceName[])[] = [BACKENDS, ['api-gateway']]

/** The order in which the launcher stops the processes, the start's reversed: what takes requests first. */
export const STOP_ORDER: readonly ServiceName[] = START_ORDER.flat().reverse()

export interface Wiring {
  databaseUrls: Record<DatabaseRole, string>
  /** The transport's settings (KAFKA_BOOTSTRAP_SERVERS, empty for the embedded one). */
  transportEnv: Record<string, string>
  urls: Record<ServiceName, string>
}

const OWN_DATABASE: Record<BackendName, DatabaseRole> = {
  'orders-service': 'orders',
  'payments-service': 'payments',
}

/** The settings that connect one service to the others. */
export function wiringOf(name: ServiceName, wiring: Wiring): Record<string, string> {
  return name === 'api-gateway' ? gatewayWiring(wiring.urls) : backendWiring(name, wiring)
}

/** The settings that put the gateway in front of the services. */
export function gatewayWiring(urls: Record<BackendName, string>): Record<string, string> {
  return {
    ORDERS_SERVICE_URL: urls['orders-service'],
    PAYMENTS_SERVICE_URL: urls['payments-service'],
  }
}

/** The settings that give a service its database and the transport (any number of its instances). */
export function backendWiring(
  name: BackendName,
  wiring: Pick<Wiring, 'databaseUrls' | 'transportEnv'>,
): Record<string, string> {
  return {
    ...wiring.transportEnv,
    BROKER_DATABASE_URL: wiring.databaseUrls.broker,
    DATABASE_URL: wiring.databaseUrls[OWN_DATABASE[name]],
  }
}
