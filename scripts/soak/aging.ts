/**
 * The aging test: does a shop that ran for months before retention existed keep its latency while
 * retention catches up? The same load runs twice on one system: first on empty tables, then after
 * millions of rows of old history were written into every trimmed table. The catch-up lasts from
 * the second load's start until no history row is left. Settlement p99 and `POST /orders` p99 of
 * the orders placed in that time (at least the first CATCH_UP_MIN_MS) are compared with those of
 * the orders placed in the same seconds of the first load; more than 25% above fails, as does a
 * table that did not come back to its window.
 */
import { cpus, loadavg } from 'node:os'
import { distribution, sleep } from '../bench/lib/stats.ts'
import type { BenchSystem } from '../bench/lib/system.ts'
import { historyLeft, writeHistory } from './history.ts'
import { type OrderLoad, placeOrders } from './order-load.ts'
import { formatSample, type SoakDatabases, TRIMMED_TABLES, tableFigures, takeSample } from './samples.ts'
import { beyondWindow } from './window.ts'

export interface AgingPlan {
  /** Length of each of the two loads. */
  minutes: number
  historyRows: number
  /** The services' retention settings, which every table must be back within at the end. */
  retention: Parameters<typeof beyondWindow>[1]
}

/** Allowed rise of a p99 under catch-up over the same load on empty tables. */
const TOLERANCE = 0.25
/** The catch-up window compared is at least this long, so that its p99 rests on enough orders. */
const CATCH_UP_MIN_MS = 30_000
const WARM_UP_MS = 15_000
const SAMPLE_MS = 10_000

interface LoadRun {
  name: string
  /** Per second of the load (`<name>-<second>`): `POST /orders` times, ms. */
  postMs: Map<string, number[]>
  /** The machine's 1-minute load average at each sample: other work on it moves every p99. */
  loadAverages: number[]
  failed: number
}

export async function runAging(
  system: BenchSystem,
  urls: SoakDatabases,
  load: OrderLoad,
  plan: AgingPlan,
  log: (line: string) => void,
): Promise<string[]> {
  const durationMs = plan.minutes * 60_000
  log(`warm-up: ${WARM_UP_MS / 1000} s of load, not measured`)
  await placeOrders(load, WARM_UP_MS, () => 'warm-up')
  log(`empty tables: ${plan.minutes} min of load`)
  const empty = await runLoad(system, urls, load, 'empty', durationMs, log)

  log(`writing history (${plan.historyRows.toLocaleString('en')} rows a table)…`)
  const history = await writeHistory(urls, plan.historyRows, log)
  log(`the same load while retention catches up`)
  let caughtUpAtMs: number | undefined
  await history.release()
  const started = performance.now()
  const watch = (async () => {
    while (caughtUpAtMs === undefined && performance.now() - started < durationMs) {
      if (!(await historyLeft(urls))) caughtUpAtMs = performance.now() - started
      else await sleep(500)
    }
  })()
  const aged = await runLoad(system, urls, load, 'aged', durationMs, log)
  await watch

  const windowMs = Math.min(durationMs, Math.max(CATCH_UP_MIN_MS, caughtUpAtMs ?? durationMs))
  log(
    caughtUpAtMs === undefined
      ? 'retention did not catch up within the load'
      : `retention caught up ${(caughtUpAtMs / 1000).toFixed(1)} s into the load; comparing the first ${windowMs / 1000} s`,
  )
  const compared = [
    compare('settlement p99', settlement(load, 'empty', windowMs), settlement(load, 'aged', windowMs)),
    compare('POST /orders p99', within(empty, windowMs), within(aged, windowMs)),
  ]
  const whole = [
    compare(
      'settlement p99, whole load',
      settlement(load, 'empty', durationMs),
      settlement(load, 'aged', durationMs),
    ),
    compare('POST /orders p99, whole load', within(empty, durationMs), within(aged, durationMs)),
  ]
  for (const { line } of [...compared, ...whole]) log(line)
  const mean = (values: number[]) =>
    (values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(1)
  log(
    `machine load average (1 min) during the loads: empty tables ${mean(empty.loadAverages)}, catching up ${mean(aged.loadAverages)}, on ${cpus().length} CPUs`,
  )
  const tables = await tableSizes(urls)
  const window = await beyondWindow(urls, plan.retention)
  const atEnd = (figures: Record<string, number>, unit: string) =>
    Object.entries(figures)
      .map(([table, value]) => `${table} ${value}${unit}`)
      .join(', ')
  log(`at the end: rows ${atEnd(tables, '')}; oldest rows ${atEnd(window.ages, ' s')}`)
  return [
    ...compared.filter((each) => !each.ok).map((each) => `outside ${TOLERANCE * 100}%: ${each.line}`),
    ...(caughtUpAtMs === undefined ? ['history rows were left when the load ended'] : []),
    ...window.problems,
    ...(empty.failed + aged.failed > 0 ? [`${empty.failed + aged.failed} orders were not accepted`] : []),
  ]
}

/** One load, each order under the second it was placed in; a sample of the tables every SAMPLE_MS. */
async function runLoad(
  system: BenchSystem,
  urls: SoakDatabases,
  load: OrderLoad,
  name: string,
  durationMs: number,
  log: (line: string) => void,
): Promise<LoadRun> {
  const started = performance.now()
  const loadAverages: number[] = []
  let running = true
  const orders = placeOrders(load, durationMs, (elapsedMs) => `${name}-${Math.floor(elapsedMs / 1000)}`)
  void orders.finally(() => {
    running = false
  })
  for (let tick = 1; running; tick += 1) {
    await Promise.race([sleep(started + tick * SAMPLE_MS - performance.now()), orders])
    if (!running) break
    // Settlement of the interval before the last, whose orders have had time to settle.
    const settled = seconds(SAMPLE_MS, (tick - 2) * SAMPLE_MS).flatMap(
      (second) => load.tracker.phase(`${name}-${second}`).latencies,
    )
    // Rows estimated, not counted: counting millions of rows of history every sample would load
    // the catch-up with reads no shop makes, and only the catch-up, whose p99 it compares.
    log(formatSample(await takeSample(system.metricsUrls, urls, settled, started, 'estimated')))
    loadAverages.push(loadavg()[0] ?? 0)
  }
  await load.tracker.waitFor(undefined, 30_000)
  return { name, loadAverages, ...(await orders) }
}

/** The seconds of a load from `fromMs` for `windowMs`. */
const seconds = (windowMs: number, fromMs = 0) =>
  Array.from({ length: Math.ceil(windowMs / 1000) }, (_, index) => Math.floor(fromMs / 1000) + index)

function settlement(load: OrderLoad, name: string, windowMs: number): number[] {
  return seconds(windowMs).flatMap((second) => load.tracker.phase(`${name}-${second}`).latencies)
}

function within(run: LoadRun, windowMs: number): number[] {
  return seconds(windowMs).flatMap((second) => run.postMs.get(`${run.name}-${second}`) ?? [])
}

function compare(what: string, empty: number[], aged: number[]): { ok: boolean; line: string } {
  const [before, during] = [distribution(empty), distribution(aged)]
  const ok = before.p99 !== null && during.p99 !== null && during.p99 <= before.p99 * (1 + TOLERANCE)
  const change =
    before.p99 && during.p99 ? `${(((during.p99 - before.p99) / before.p99) * 100).toFixed(0)}%` : '?'
  return {
    ok,
    line: `${what}: empty tables ${before.p99} ms (${before.count} orders), catching up ${during.p99} ms (${during.count} orders), ${change}`,
  }
}

async function tableSizes(urls: SoakDatabases): Promise<Record<string, number>> {
  const found = await Promise.all(
    (Object.keys(TRIMMED_TABLES) as (keyof typeof TRIMMED_TABLES)[]).map((db) =>
      tableFigures(urls[db], TRIMMED_TABLES[db]),
    ),
  )
  return Object.assign({}, ...found.map((table) => table.rows))
}
