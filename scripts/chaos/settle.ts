/** Waits, bounded, for the system to come to rest after the last fault, and times it. */
import pg from 'pg'
import { waitUntilNothingInFlight } from '../lib/settle-waiter.ts'
import { sleep, waitFor } from './util.ts'

export interface Settlement {
  /** When the last fault was injected (SIGKILL sent, stop begun, or a crash point fired). */
  lastFaultAt: number
  /** When every process was serving again after it. */
  lastRecoveryAt: number
  /** Milliseconds from the last fault until no order was NEW and no refund PENDING; undefined if that never happened. */
  settledMs: number | undefined
  /** Orders still NEW and refunds still PENDING when the wait ended. */
  stillNew: number
  /** Milliseconds from the last fault until every outbox row of both services was marked published. */
  outboxesDrainedMs: number | undefined
}

/** Extra time to wait past the limit, so a slow settlement is measured rather than cut off. */
const GRACE_MS = 60_000

export async function awaitSettlement(
  urls: { orders: string; payments: string },
  lastFaultAt: number,
  lastRecoveryAt: number,
  limitMs: number,
): Promise<Settlement> {
  const orders = await connect(urls.orders)
  const payments = await connect(urls.payments)
  const count = async (client: pg.Client, sql: string) => Number((await client.query(sql)).rows[0]?.n ?? -1)
  try {
    const deadline = lastFaultAt + limitMs + GRACE_MS
    const stillNew = await waitUntilNothingInFlight(orders, { deadline })
    const settledMs = stillNew === 0 ? Date.now() - lastFaultAt : undefined
    const unpublished = 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL'
    const drained = await waitFor(
      async () =>
        (await count(orders, unpublished.replace('outbox', 'orders.outbox'))) === 0 &&
        (await count(payments, unpublished.replace('outbox', 'payments.outbox'))) === 0,
      { timeoutMs: Math.max(5_000, deadline - Date.now()), intervalMs: 200 },
    )
    return {
      lastFaultAt,
      lastRecoveryAt,
      settledMs,
      stillNew,
      outboxesDrainedMs: drained ? Date.now() - lastFaultAt : undefined,
    }
  } finally {
    await Promise.allSettled([orders.end(), payments.end()])
  }
}

async function connect(url: string): Promise<pg.Client> {
  let lastError: unknown
  for (let attempt = 1; attempt <= 20; attempt++) {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    try {
      await client.connect()
      return client
    } catch (error) {
      lastError = error
      await sleep(500)
    }
  }
  throw new Error(`cannot connect to ${url}: ${String(lastError)}`)
}
