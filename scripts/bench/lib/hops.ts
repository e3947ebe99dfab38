/**
 * Where an order's settlement time goes, hop by hop, read from the rows the order left behind.
 * Every time compared is a `now()` of the one PostgreSQL server, so the hops share a clock: the
 * start of the transaction that wrote the order (its `order_created` row's created_at), of the
 * orders relay's transaction that picked that row up (published_at: the relay's transaction
 * starts before it sends), of the payments consumer's transaction that charged the order
 * (payments.inbox.received_at), of the payments relay's pick-up of `payment_finished`, and of the
 * orders consumer's transaction that settled the order (orders.inbox.received_at). A hop runs from
 * one start to the next, so it holds the earlier transaction's own work and commit, and whatever
 * waited after it.
 */
import { withClient } from '../../lib/pg-client.ts'
import { type Distribution, distribution } from './stats.ts'

export const HOPS = [
  'order written → picked up by the orders relay',
  'picked up → charged by payments-service',
  'charged → picked up by the payments relay',
  'picked up → settled by orders-service',
  'order written → settled',
] as const

export type HopFigures = Record<(typeof HOPS)[number], Distribution>

interface Written {
  order_id: string
  created_event: string
  written: number
  picked: number
}
interface Charged {
  order_id: string
  charged: number
  finished_event: string
  picked: number
}

/** The hops of every order written between `fromMs` and `toMs` (ms since the epoch) that settled. */
export async function settlementHops(
  urls: Record<'orders' | 'payments', string>,
  window: { fromMs: number; toMs: number },
): Promise<HopFigures> {
  const written = await withClient(
    urls.orders,
    async (client) =>
      (
        await client.query<Written>(
          `SELECT message_key AS order_id, value::json->>'event_id' AS created_event,
                  extract(epoch FROM created_at) * 1000 AS written, extract(epoch FROM published_at) * 1000 AS picked
             FROM orders.outbox
            WHERE created_at BETWEEN $1 AND $2 AND published_at IS NOT NULL AND value::json->>'type' = 'order_created'`,
          [new Date(window.fromMs), new Date(window.toMs)],
        )
      ).rows,
  )
  const charged = await withClient(
    urls.payments,
    async (client) =>
      (
        await client.query<Charged>(
          `SELECT w.order_id, extract(epoch FROM i.received_at) * 1000 AS charged,
                  p.value::json->>'event_id' AS finished_event, extract(epoch FROM p.published_at) * 1000 AS picked
             FROM unnest($1::text[], $2::text[]) AS w (order_id, created_event)
             JOIN payments.inbox i ON i.message_id = w.created_event
             JOIN payments.outbox p ON p.message_key = w.order_id AND p.value::json->>'type' = 'payment_finished'
            WHERE p.published_at IS NOT NULL`,
          [written.map((row) => row.order_id), written.map((row) => row.created_event)],
        )
      ).rows,
  )
  const settled = await withClient(urls.orders, async (client) => {
    const { rows } = await client.query<{ message_id: string; settled: number }>(
      `SELECT message_id, extract(epoch FROM received_at) * 1000 AS settled
         FROM orders.inbox WHERE message_id = ANY($1::text[])`,
      [charged.map((row) => row.finished_event)],
    )
    return new Map(rows.map((row) => [row.message_id, Number(row.settled)]))
  })

  const byOrder = new Map(written.map((row) => [row.order_id, row]))
  const hops = new Map<(typeof HOPS)[number], number[]>(HOPS.map((hop) => [hop, []]))
  const add = (hop: (typeof HOPS)[number], ms: number) => hops.get(hop)?.push(ms)
  for (const row of charged) {
    const order = byOrder.get(row.order_id)
    const settledAt = settled.get(row.finished_event)
    if (!order || settledAt === undefined) continue
    const [writtenAt, pickedAt, chargedAt, resultPickedAt] = [
      order.written,
      order.picked,
      row.charged,
      row.picked,
    ].map(Number) as [number, number, number, number]
    add(HOPS[0], pickedAt - writtenAt)
    add(HOPS[1], chargedAt - pickedAt)
    add(HOPS[2], resultPickedAt - chargedAt)
    add(HOPS[3], settledAt - resultPickedAt)
    add(HOPS[4], settledAt - writtenAt)
  }
  return Object.fromEntries(HOPS.map((hop) => [hop, distribution(hops.get(hop) ?? [])])) as HopFigures
}

/** One line per hop: p50 / p95 / p99 in ms, and how many orders the figures rest on. */
export function formatHops(figures: HopFigures): string[] {
  const count = figures[HOPS[4]].count
  return [
    `settlement hop by hop (${count} orders; ms p50 / p95 / p99, from the rows' transaction start times):`,
    ...HOPS.map((hop) => {
      const { p50, p95, p99 } = figures[hop]
      return `  ${hop.padEnd(50)} ${p50} / ${p95} / ${p99}`
    }),
  ]
}
