/**
 * Waiting until orders are paid or cancelled, as every runner needs to: through the API for the
 * orders a client placed (the tests), or in orders-service's own table for all of them (the chaos
 * suite and the property tests, which must know that nothing is left in flight). Polls, bounded;
 * never a fixed sleep.
 */
import type pg from 'pg'
import type { OrderBody, ShopAnswer, ShopClient } from './shop-client.ts'

export interface Polling {
  timeoutMs?: number
  intervalMs?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Reads the order until it is no longer NEW and returns that answer; fails after the timeout with
 * the last answer seen.
 */
export async function waitUntilFinal(
  client: ShopClient,
  userId: string,
  orderId: string,
  { timeoutMs = 10_000, intervalMs = 25 }: Polling = {},
): Promise<ShopAnswer<OrderBody>> {
  const deadline = Date.now() + timeoutMs
  let last = await client.getOrder(userId, orderId)
  while (last.status !== 200 || last.body.status === 'NEW') {
    if (Date.now() > deadline) {
      throw new Error(
        `order ${orderId} not final within ${timeoutMs} ms; last answer: ${last.status} ${JSON.stringify(last.body)}`,
      )
    }
    await sleep(intervalMs)
    last = await client.getOrder(userId, orderId)
  }
  return last
}

/** Orders-service's orders that are still NEW, read from its table. */
export async function countNewOrders(orders: pg.Client): Promise<number> {
  const { rows } = await orders.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM orders.orders WHERE status = 'NEW'",
  )
  return rows[0]?.n ?? 0
}

/**
 * Polls orders-service's table until no order is NEW, or until `deadline` (epoch ms); returns how
 * many were still NEW at the last look (0: settled; -1: the database could not be read). A failed
 * read is retried, since the database may be restarting.
 */
export async function waitUntilNothingNew(
  orders: pg.Client,
  { deadline, intervalMs = 200 }: { deadline: number; intervalMs?: number },
): Promise<number> {
  let stillNew = -1
  while (Date.now() < deadline) {
    stillNew = await countNewOrders(orders).catch(() => -1)
    if (stillNew === 0) return 0
    await sleep(intervalMs)
  }
  return stillNew
}
