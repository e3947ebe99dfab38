import { fileURLToPath } from 'node:url'
import { runService } from '@shop/platform'
import { buildApp } from './app.ts'
import { PaymentsConfig } from './config.ts'
import { startOrderCreatedConsumer } from './messaging/order-created.consumer.ts'

await runService({
  name: 'payments-service',
  schema: 'payments',
  configSchema: PaymentsConfig,
  migrations: { name: 'payments', directory: fileURLToPath(new URL('../migrations', import.meta.url)) },
  async start(runtime) {
    const app = await buildApp({ ...runtime, internalAuthToken: runtime.config.INTERNAL_AUTH_TOKEN })
    const consumer = await startOrderCreatedConsumer(runtime)
    return { app, consumers: [consumer] }
  },
})
