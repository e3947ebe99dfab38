/**
 * What the soak records every sample interval, and the rule that fails it: a figure that rose by
 * more than 1% at every sample of the run's second half, and ended clearly above where that half
 * began, keeps growing. A figure that levels off, even high, does not. Before the half, tables are
 * still filling their retention windows and Node warms up.
 */
import pg from 'pg'

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

export async function tableFigures(url: string, tables: readonly string[]) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const rows: Record<string, number> = {}
    const bytes: Record<string, number> = {}
    for (const table of tables) {
      const { rows: found } = await client.query<{ n: string; size: string }>(
        `SELECT (SELECT count(*) FROM ${table})::text AS n, pg_total_relation_size($1::regclass)::text AS size`,
        [table],
      )
      rows[table] = Number(found[0]?.n)
      bytes[table] = Number(found[0]?.size)
    }
    return { rows, bytes }
  } finally {
    await client.end()
  }
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

/** How much a figure must rise over the second half before it counts as growth, besides rising at every sample. */
const SLACK: Record<string, (first: number) => number> = {
  rows: (first) => Math.max(first * 0.25, 1_000),
  bytes: (first) => Math.max(first * 0.25, 4 * 1024 * 1024),
  rssBytes: (first) => Math.max(first * 0.25, 32 * 1024 * 1024),
  eventLoopP99Ms: (first) => Math.max(first, 20),
  settle: (first) => Math.max(first, 100),
}

/** The figures that kept growing through the second half of the run, each with its first and last value. */
export function growingFigures(samples: readonly Sample[]): string[] {
  const half = samples.slice(Math.floor(samples.length / 2))
  if (half.length < 2) return []
  const series = new Map<string, { kind: string; values: number[] }>()
  const add = (kind: string, name: string, value: number | null) => {
    if (value === null || !Number.isFinite(value)) return
    const entry = series.get(name) ?? { kind, values: [] }
    series.set(name, { kind, values: [...entry.values, value] })
  }
  for (const sample of half) {
    for (const kind of ['rows', 'bytes', 'rssBytes', 'eventLoopP99Ms'] as const)
      for (const [name, value] of Object.entries(sample[kind])) add(kind, `${kind} ${name}`, value)
    add('settle', 'settle p99 ms', sample.settleP99Ms)
  }
  return [...series].flatMap(([name, { kind, values }]) => {
    const [first, last] = [values[0] as number, values.at(-1) as number]
    const rising = values.every((value, index) => index === 0 || value > (values[index - 1] as number) * 1.01)
    const slack = SLACK[kind]?.(first) ?? 0
    return rising && last - first > slack ? [`${name}: ${first} → ${last}`] : []
  })
}
