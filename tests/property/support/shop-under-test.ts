import { type ShopClient, shopClient } from '../../../scripts/lib/shop-client.ts'
import { eventually } from '../../support/eventually.ts'
import { type RunningShop, startShop } from '../../support/shop.ts'
import type { Seeded } from './requests.ts'
import { openStoredState, type StoredState } from './stored-state.ts'

export interface ShopUnderTest {
  shop: RunningShop
  api: ShopClient
  state: StoredState
  seeded: Seeded
  stop(): Promise<void>
}

/** The whole shop as processes, a read-only view of its databases, and a few users with real rows. */
export async function startShopUnderTest(): Promise<ShopUnderTest> {
  const shop = await startShop()
  const api = shopClient(shop.gateway)
  const state = await openStoredState(shop)
  const seeded = await seed(api)
  await state.settled()
  return {
    shop,
    api,
    state,
    seeded,
    async stop() {
      await state.close()
      await shop.stop()
    },
  }
}

async function seed(api: ShopClient): Promise<Seeded> {
  const [rich, broke, nobody] = [api.newUser(), api.newUser(), api.newUser()]
  await api.openAccount(rich, 1_000_000)
  await api.openAccount(broke)
  const placed = await api.placeOrder(rich, 12.34, 'seeded')
  await eventually(
    () => api.getOrder(rich, placed.body.id),
    (order) => order.body?.status === 'FINISHED',
  )
  return { rich, broke, nobody, richOrder: { id: placed.body.id, amount: 12.34 } }
}

/**
 * fast-check settings: a fixed seed (FC_SEED overrides it), so a failure can be replayed; each
 * property offsets it, so properties of the same shape do not draw the same values. A failure
 * prints the seed and path. No shrinking: the shop keeps state between runs, so a shrunk replay
 * would not meet the same data, and the failing exchange is printed whole anyway. FC_RUNS_SCALE
 * multiplies the runs for a longer hunt than CI affords.
 */
export const fuzzSettings = (numRuns: number, offset = 0) => ({
  numRuns: Math.max(1, Math.round(numRuns * Number(process.env.FC_RUNS_SCALE ?? 1))),
  seed: Number(process.env.FC_SEED ?? 20_251_125) + offset,
  endOnFailure: true,
  verbose: 1 as const,
})
