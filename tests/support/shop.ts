import { randomUUID } from 'node:crypto'
import { freePort, type ServiceProcess, startServiceProcess } from '../../scripts/lib/service-process.ts'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { collectJsonLogs } from './json-logs.ts'

export interface RunningShop {
  gateway: string
  /** The settings the services share: transport, topics, broker database. */
  env: Record<string, string>
  databases: Record<'orders' | 'payments' | 'broker', TestDatabase>
  services: Map<string, ServiceProcess>
  /** Every JSON log line each service wrote, parsed, in order. */
  logs: Map<string, Record<string, unknown>[]>
  /** Starts a stopped service again, on the same port and database. */
  restart(name: 'orders-service' | 'payments-service'): Promise<void>
  stop(): Promise<void>
}

/**
 * The whole system as users run it: three OS processes, each service with its own database and
 * the embedded transport's log in a third, the gateway in front.
 */
export async function startShop(extraEnv: Record<string, string> = {}): Promise<RunningShop> {
  const databases = {
    orders: await createTestDatabase(),
    payments: await createTestDatabase(),
    broker: await createTestDatabase(),
  }
  const ports = { orders: await freePort(), payments: await freePort(), gateway: await freePort() }
  const common = {
    // Info logs are collected (not printed) so tests can follow a trace through them.
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    BROKER_DATABASE_URL: databases.broker.url,
    ...extraEnv,
  }
  const envOf = {
    'orders-service': { ...common, DATABASE_URL: databases.orders.url },
    'payments-service': { ...common, DATABASE_URL: databases.payments.url },
  }
  const services = new Map<string, ServiceProcess>()
  const logs = new Map<string, Record<string, unknown>[]>()
  const collectLogs = (service: ServiceProcess) => {
    logs.set(service.name, collectJsonLogs(service.child, logs.get(service.name)))
    return service
  }
  const launch = async (name: 'orders-service' | 'payments-service') => {
    const port = name === 'orders-service' ? ports.orders : ports.payments
    services.set(
      name,
      collectLogs(await startServiceProcess({ name, port, env: envOf[name], output: 'pipe' })),
    )
  }
  await Promise.all([launch('orders-service'), launch('payments-service')])
  services.set(
    'api-gateway',
    collectLogs(
      await startServiceProcess({
        name: 'api-gateway',
        port: ports.gateway,
        output: 'pipe',
        env: {
          // The services' settings too: the gateway reads those it shares (LOG_LEVEL, the HTTP bounds).
          ...common,
          ORDERS_SERVICE_URL: `http://127.0.0.1:${ports.orders}`,
          PAYMENTS_SERVICE_URL: `http://127.0.0.1:${ports.payments}`,
          UPSTREAM_TIMEOUT_MS: '2000',
        },
      }),
    ),
  )
  return {
    gateway: `http://127.0.0.1:${ports.gateway}`,
    env: common,
    databases,
    services,
    logs,
    restart: launch,
    async stop() {
      await Promise.all([...services.values()].map((service) => service.stop()))
      await Promise.all(Object.values(databases).map((database) => database.drop()))
    },
  }
}

export interface ApiResponse {
  status: number
  contentType: string
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in the tests
  body: any
}

/** A small client of the public API, as a shop front end would use it. */
export function apiClient(base: string) {
  const call = async (method: string, path: string, userId: string | undefined, body?: unknown) => {
    const headers: Record<string, string> = {}
    if (userId !== undefined) headers['x-user-id'] = userId
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : undefined,
    } satisfies ApiResponse
  }
  return {
    newUser: () => randomUUID(),
    openAccount: (userId: string, initialBalance?: number) =>
      call(
        'POST',
        '/accounts',
        userId,
        initialBalance === undefined ? undefined : { initial_balance: initialBalance },
      ),
    topUp: (userId: string, amount: number) => call('POST', '/accounts/topup', userId, { amount }),
    balance: (userId: string) => call('GET', '/accounts/balance', userId),
    statement: (userId: string) => call('GET', '/accounts/statement', userId),
    charge: (userId: string, orderId: string, amount: number) =>
      call('POST', '/accounts/charge', userId, { order_id: orderId, amount }),
    placeOrder: (userId: string, amount: number, description?: string) =>
      call('POST', '/orders', userId, description === undefined ? { amount } : { amount, description }),
    listOrders: (userId: string) => call('GET', '/orders', userId),
    getOrder: (userId: string, orderId: string) => call('GET', `/orders/${orderId}`, userId),
    cancelOrder: (userId: string, orderId: string) => call('POST', `/orders/${orderId}/cancel`, userId),
    refund: (userId: string, orderId: string, amount?: number) =>
      call('POST', `/orders/${orderId}/refunds`, userId, amount === undefined ? {} : { amount }),
    refunds: (userId: string, orderId: string) => call('GET', `/orders/${orderId}/refunds`, userId),
    call,
  }
}
