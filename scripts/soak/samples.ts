/**
 * What the soak records every sample interval: each trimmed table's rows and bytes, each
 * service's resident memory and event-loop delay, and the settlement latency of the orders of
 * the interval before. `growth.ts` judges them.
 */

import { TABLE_SIZE } from '../../packages/platform/src/retention/retention-metrics.ts'
import { distribution } from '../bench/lib/stats.ts'
import { withClient } from '../lib/pg-client.ts'

/** The tables retention keeps to a window, by the database (role) that holds them. */
export const TRIMMED_TABLES = {
  orders: ['orders.outbox', 'orders.inbox'],
  payments: ['payments.outbox', 'payments.inbox'],
  broker: ['broker.messages'],
} as const

export interface Sample {
  atSeconds: number
  /** Exact rows and bytes on disk (indexes included) of each trimmed table. */
  rows: Record<string, number>
  bytes: Record<string, number>
  /** Per service: resident memory and the event loop's p99 delay over the last interval. */
  rssBytes: Record<string, number>
  eventLoopP99Ms: Record<string, number>
  /** Orders accepted in the interval: 201 read → settled, p50 and p99, ms. */
  settleP50Ms: number | null
  settleP99Ms: number | null
}

/**
 * How a sample knows a table's rows: `counted` reads them all (exact, what the soak judges growth
 * by); `estimated` takes PostgreSQL's statistics, for the aging test, whose history of millions of
 * rows a count every 10 s would read again and again, loading the very latency it compares.
 */
export type RowCount = 'counted' | 'estimated'

export async function tableFigures(url: string, tables: readonly string[], rowCount: RowCount = 'counted') {
  return withClient(url, async (client) => {
    const rows: Record<string, number> = {}
    const bytes: Record<string, number> = {}
    for (const table of tables) {
      // The services' own gauge statement: a partitioned table's size is its partitions'.
      const size = (await client.query<{ rows: number; bytes: number }>(TABLE_SIZE, [table])).rows[0]
      rows[table] =
        rowCount === 'counted'
          ? Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n)
          : Number(size?.rows)
      bytes[table] = Number(size?.bytes)
    }
    return { rows, bytes }
  })
}

/** Resident memory and event-loop p99 from a service's own /metrics (prom-client's process metrics). */
export async function processFigures(
  metricsUrl: string,
): Promise<{ rssBytes: number; eventLoopP99Ms: number }> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text()
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1])
  return {
    rssBytes: value('process_resident_memory_bytes'),
    eventLoopP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
  }
}

/** The databases (by role) that hold the trimmed tables. */
export type SoakDatabases = Record<keyof typeof TRIMMED_TABLES, string>

/** Figures now; `settleMs` are the settlement latencies of the orders the sample reports on. */
export async function takeSample(
  metricsUrls: Record<string, string>,
  urls: SoakDatabases,
  settleMs: readonly number[],
  started: number,
  rowCount: RowCount = 'counted',
): Promise<Sample> {
  const tables = await Promise.all(
    (Object.keys(TRIMMED_TABLES) as (keyof typeof TRIMMED_TABLES)[]).map((db) =>
      tableFigures(urls[db], TRIMMED_TABLES[db], rowCount),
    ),
  )
  const processes = await Promise.all(
    ['orders-service', 'payments-service', 'api-gateway'].map(
      async (name) => [name, await processFigures(metricsUrls[name] as string)] as const,
    ),
  )
  const settle = distribution(settleMs)
  return {
    atSeconds: Math.round((performance.now() - started) / 1000),
    rows: Object.assign({}, ...tables.map((table) => table.rows)),
    bytes: Object.assign({}, ...tables.map((table) => table.bytes)),
    rssBytes: Object.fromEntries(processes.map(([name, figures]) => [name, figures.rssBytes])),
    eventLoopP99Ms: Object.fromEntries(
      processes.map(([name, figures]) => [name, Math.round(figures.eventLoopP99Ms)]),
    ),
    settleP50Ms: settle.p50,
    settleP99Ms: settle.p99,
  }
}

export function formatSample(sample: Sample): string {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  const tables = Object.keys(sample.rows)
    .map((table) => `${table} ${sample.rows[table]} rows/${mib(sample.bytes[table] as number)}`)
    .join(', ')
  const processes = Object.keys(sample.rssBytes)
    .map(
      (name) => `${name} ${mib(sample.rssBytes[name] as number)} loop p99 ${sample.eventLoopP99Ms[name]} ms`,
    )
    .join(', ')
  return `t=${sample.atSeconds}s  ${tables}\n        ${processes}\n        settle p50 ${sample.settleP50Ms} ms p99 ${sample.settleP99Ms} ms`
}
