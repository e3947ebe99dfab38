import { randomUUID } from 'node:crypto'
import { describe, inject } from 'vitest'
import { describeShopEndToEnd } from './shop-flows.ts'

const bootstrap = inject('kafkaBootstrap')
const run = randomUUID().slice(0, 8)

// Skipped only where Java or Maven is missing, and then said so by the global setup; never in CI.
describe.skipIf(!bootstrap)('on a real Kafka broker', () => {
  describeShopEndToEnd('kafka', () => ({
    KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    // Topics of their own, so this run shares nothing with another suite on the same broker.
    ORDERS_TOPIC: `order_created_${run}`,
    PAYMENT_RESULTS_TOPIC: `payment_finished_${run}`,
  }))
})
