/**
 * The soak's customers: an open loop of `POST /orders` at a steady rate from a fixed set of users,
 * each accepted order handed to the settlement tracker under the phase its placing time falls in.
 * Answers each phase's `POST /orders` times, so a mode can compare them as it compares settlement.
 */
import { randomUUID } from 'node:crypto'
import { type OrderClient, openLoop } from '../bench/lib/load.ts'
import type { SettlementTracker } from '../bench/lib/settlement.ts'
import { shopClient } from '../lib/shop-client.ts'

export interface OrderLoad {
  client: OrderClient
  tracker: SettlementTracker
  users: string[]
  /** Orders a second. */
  rate: number
}

/** Opens `count` accounts through the gateway at `origin`, with a balance no soak can spend; answers their user ids. */
export async function openAccounts(origin: string, count: number): Promise<string[]> {
  const users = Array.from({ length: count }, () => randomUUID())
  const accounts = shopClient(origin)
  for (const user of users) await accounts.openAccount(user, 1_000_000)
  return users
}

/**
 * Sends orders for `durationMs`; `phaseOf` names the phase of an order placed `elapsedMs` after
 * the start. Resolves, once every request answered, with the `POST /orders` times (ms) per phase
 * and the requests that were not answered 201.
 */
export async function placeOrders(
  { client, tracker, users, rate }: OrderLoad,
  durationMs: number,
  phaseOf: (elapsedMs: number) => string,
): Promise<{ postMs: Map<string, number[]>; failed: number }> {
  const postMs = new Map<string, number[]>()
  let failed = 0
  const started = performance.now()
  await openLoop({
    rate,
    durationMs,
    maxInFlight: 32,
    send: async () => {
      const phase = phaseOf(performance.now() - started)
      const placed = await client.placeOrder(users[Math.floor(Math.random() * users.length)] as string)
      if (!placed.id) {
        failed += 1
        return
      }
      tracker.track(placed.id, placed.answeredAt, phase)
      const times = postMs.get(phase) ?? []
      times.push(placed.ms)
      postMs.set(phase, times)
    },
  })
  return { postMs, failed }
}
