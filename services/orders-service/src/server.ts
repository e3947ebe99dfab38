import { fileURLToPath } from 'node:url'
import { runService } from '@shop/platform'
import { buildApp } from './app.ts'
import { OrdersConfig } from './config.ts'
import { startPaymentFinishedConsumer } from './messaging/payment-finished.consumer.ts'

await runService({
  name: 'orders-service',
  schema: 'orders',
  configSchema: OrdersConfig,
  migrations: { name: 'orders', directory: fileURLToPath(new URL('../migrations', import.meta.url)) },
  async start(runtime) {
    const app = await buildApp({
      ...runtime,
      ordersTopic: runtime.config.ORDERS_TOPIC,
      databaseUrl: runtime.config.DATABASE_URL,
      internalAuthToken: runtime.config.INTERNAL_AUTH_TOKEN,
    })
    const consumer = await startPaymentFinishedConsumer(runtime)
    return { app, consumers: [consumer] }
  },
})
