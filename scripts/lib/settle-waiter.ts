/**
 * Waiting until orders are paid or cancelled, as every runner needs to: through the API for the
 * orders a client placed (the tests), in orders-service's own table for given ones (the benchmark's
 * and soak's settlement tracker, which also times them) or for all of them (the chaos suite and the
 * property tests, which must know that nothing is left in flight). Polls, bounded; never a fixed
 * sleep.
 */
import type { FinalOrderStatus } from '@shop/contracts'
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

export interface FinalOrder {
  id: string
  status: FinalOrderStatus
  /** When the order was created and when it settled: PostgreSQL's clock, epoch milliseconds. */
  createdMs: number
  settledMs: number
}

/** Those of the given orders that are final, read from orders-service's table by primary key. */
export async function finalOrders(orders: pg.Client, ids: string[]): Promise<FinalOrder[]> {
  const { rows } = await orders.query<{
    id: string
    status: FinalOrderStatus
    updated_ms: number
    created_ms: number
  }>(
    `SELECT id::text AS id, status,
            (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms,
            (extract(epoch FROM created_at) * 1000)::float8 AS created_ms
       FROM orders.orders WHERE id = ANY($1::uuid[]) AND status <> 'NEW'`,
    [ids],
  )
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    createdMs: row.created_ms,
    settledMs: row.updated_ms,
  }))
}

/** Orders-service's orders that are still NEW, read from its table. */
export async function countNewOrders(orders: pg.Client): Promise<number> {
  const { rows } = await orders.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM orders.orders WHERE status = 'NEW'",
  )
  return rows[0]?.n ?? 0
}

/** Orders still NEW and refunds still PENDING: what orders-service still waits to hear about. */
export async function countInFlight(orders: pg.Client): Promise<number> {
  const { rows } = await orders.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM orders.orders WHERE status = 'NEW')
           + (SELECT count(*) FROM orders.refunds WHERE status = 'PENDING'))::int AS n`,
  )
  return rows[0]?.n ?? 0
}

/**
 * Polls `count` until it is 0, or until `deadline` (epoch ms); returns the last count (0: settled;
 * -1: the database could not be read). A failed read is retried, since the database may be
 * restarting.
 */
async function pollUntilNone(
  count: () => Promise<number>,
  { deadline, intervalMs = 200 }: { deadline: number; intervalMs?: number },
): Promise<number> {
  let left = -1
  while (Date.now() < deadline) {
    left = await count().catch(() => -1)
    if (left === 0) return 0
    await sleep(intervalMs)
  }
  return left
}

/** Polls orders-service's table until no order is NEW (see pollUntilNone). */
export const waitUntilNothingNew = (orders: pg.Client, polling: { deadline: number; intervalMs?: number }) =>
  pollUntilNone(() => countNewOrders(orders), polling)

/** Polls orders-service's tables until no order is NEW and no refund PENDING (see pollUntilNone). */
export const waitUntilNothingInFlight = (
  orders: pg.Client,
  polling: { deadline: number; intervalMs?: number },
) => pollUntilNone(() => countInFlight(orders), polling)
