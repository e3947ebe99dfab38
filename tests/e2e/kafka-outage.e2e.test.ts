import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts'
import { freePort } from '../../scripts/lib/launcher/service-process.ts'
import { waitUntilFinal } from '../../scripts/lib/settle-waiter.ts'
import { type ShopClient, shopClient } from '../../scripts/lib/shop-client.ts'
import { eventually } from '../support/eventually.ts'
import { kafkaUnavailableReason } from '../support/kafka.ts'
import { type RunningShop, startShop } from '../support/shop.ts'

// A broker of its own, since this suite stops it; skipped only where the Kafka suites cannot run.
describe.skipIf(kafkaUnavailableReason() !== undefined)(
  'when the Kafka broker goes away and comes back',
  () => {
    let dataDir: string
    let port: number
    let broker: KafkaBroker | undefined
    let shop: RunningShop
    let api: ShopClient

    const startBroker = async () => {
      broker = await startKafkaBroker({ port, controllerPort: await freePort(), dataDir })
    }

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'kafka-outage-'))
      port = await freePort()
      await startBroker()
      shop = await startShop({ KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}` })
      api = shopClient(shop.gateway)
    }, 120_000)
    afterAll(async () => {
      await shop?.stop()
      await broker?.stop()
      await rm(dataDir, { recursive: true, force: true })
    })

    const ready = async (url: string | undefined) =>
      (await (await fetch(`${url}/ready`)).json()) as { status: string; checks: Record<string, boolean> }

    it('then orders are still accepted, /ready says not ready, and every order settles once it is back', async () => {
      const user = api.newUser()
      await api.openAccount(user, 100)
      const before = await api.placeOrder(user, 10)
      const settledBefore = await waitUntilFinal(api, user, before.body.id, { timeoutMs: 30_000 })
      expect(settledBefore.body.status).toBe('FINISHED')

      await broker?.stop()
      const during = await Promise.all([1, 2, 3].map(() => api.placeOrder(user, 10)))
      expect(during.map((response) => response.status)).toEqual([201, 201, 201])
      const orders = shop.services.get('orders-service')?.url
      await eventually(
        () => ready(orders),
        (body) => body.checks?.transport === false,
        { timeoutMs: 15_000 },
      )
      expect((await fetch(`${orders}/ready`)).status).toBe(503)
      for (const response of during)
        expect((await api.getOrder(user, response.body.id)).body.status).toBe('NEW')

      await startBroker()
      for (const response of during) {
        const settled = await waitUntilFinal(api, user, response.body.id, {
          timeoutMs: 60_000,
          intervalMs: 200,
        })
        expect(settled.body.status).toBe('FINISHED')
      }
      expect((await api.balance(user)).body.balance).toBe(60)
      await eventually(
        () => ready(orders),
        (body) => body.status === 'ready',
        { timeoutMs: 15_000 },
      )
    }, 180_000)
  },
)
