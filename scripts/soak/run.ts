/**
 * `npm run soak`: does the shop run for months? A bounded, steady load of orders on the embedded
 * transport, with retention windows of minutes instead of days, so that within the run every
 * trimmed table fills its window and must then stay there. Every sample interval it records each
 * trimmed table's rows and bytes, each service's resident memory and event-loop p99, and the
 * settlement latency of the orders accepted in that interval; at the end it fails when any of
 * them kept growing through the second half, when an order did not settle, or when one was
 * charged twice.
 *
 * `--short` (`npm run soak -- --short`): two minutes, a sample every 10 s. `--aging` first writes
 * `--history-rows` (default 750,000) rows of old history into each of four trimmed tables, three
 * million in all, and shows retention bring them down to the window under load.
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { OrderClient, openLoop } from '../bench/lib/load.ts'
import { SettlementTracker } from '../bench/lib/settlement.ts'
import { distribution, sleep } from '../bench/lib/stats.ts'
import { SystemLauncher } from '../bench/lib/system.ts'
import { shopClient } from '../lib/shop-client.ts'
import { writeHistory } from './history.ts'
import { growingFigures, processFigures, type Sample, TRIMMED_TABLES, tableFigures } from './samples.ts'

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    aging: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    rate: { type: 'string', default: '50' },
    'history-rows': { type: 'string', default: '750000' },
  },
})
const short = args.short
const minutes = Number(args.minutes ?? (short ? 2 : 10))
const sampleSeconds = short ? 10 : 60
const rate = Number(args.rate)
const USERS = 50
// Windows of seconds in the short form, of minutes otherwise; INBOX_RETENTION must outlast LOG_RETENTION.
const RETENTION = short
  ? { OUTBOX_RETENTION: '20s', LOG_RETENTION: '20s', INBOX_RETENTION: '30s', RETENTION_INTERVAL: '10s' }
  : { OUTBOX_RETENTION: '2m', LOG_RETENTION: '2m', INBOX_RETENTION: '3m', RETENTION_INTERVAL: '30s' }

const log = (line: string) => console.log(line)
const launcher = new SystemLauncher({ transport: 'embedded', logLevel: 'warn', serviceEnv: RETENTION, log })
process.on('SIGINT', () => {
  launcher.signalAll()
  void launcher.stop().finally(() => process.exit(130))
})

async function main(): Promise<number> {
  const system = await launcher.start()
  const urls = system.databaseUrls
  if (args.aging) {
    log(`writing history (${Number(args['history-rows']).toLocaleString('en')} rows a table)…`)
    await writeHistory(urls, Number(args['history-rows']), log)
  }
  const client = new OrderClient(system.urls['api-gateway'], 32)
  const users = Array.from({ length: USERS }, () => randomUUID())
  const accounts = shopClient(system.urls['api-gateway'])
  for (const user of users) await accounts.openAccount(user, 1_000_000)
  const tracker = new SettlementTracker(system.ordersDatabaseUrl)
  await tracker.start()

  log(
    `soak: ${rate} orders/s for ${minutes} min, a sample every ${sampleSeconds} s, retention ${JSON.stringify(RETENTION)}`,
  )
  const started = performance.now()
  let interval = 0
  const load = openLoop({
    rate,
    durationMs: minutes * 60_000,
    maxInFlight: 32,
    send: async () => {
      const placed = await client.placeOrder(users[Math.floor(Math.random() * USERS)] as string)
      if (placed.id) tracker.track(placed.id, placed.answeredAt, `interval-${interval}`)
    },
  })
  const samples: Sample[] = []
  let loading = true
  void load.finally(() => {
    loading = false
  })
  while (loading) {
    await Promise.race([sleep(sampleSeconds * 1000), load])
    if (!loading) break
    const measured = interval
    interval += 1
    samples.push(await sample(system.metricsUrls, urls, tracker, `interval-${measured - 1}`, started))
    printSample(samples.at(-1) as Sample)
  }
  await load
  const unsettled = await tracker.waitFor(undefined, 30_000)
  await tracker.stop()
  await client.close()

  const problems = [
    ...growingFigures(samples).map((figure) => `keeps growing: ${figure}`),
    ...(unsettled > 0 ? [`${unsettled} accepted orders did not settle`] : []),
    ...(await chargedTwice(urls.payments)).map((order) => `order ${order} charged more than once`),
  ]
  for (const problem of problems) log(`FAIL ${problem}`)
  if (problems.length === 0) log('soak passed: every figure stayed bounded, every order settled once')
  return problems.length === 0 ? 0 : 1
}

/** Figures now; settlement of the interval before the last, whose orders have had time to settle. */
async function sample(
  metricsUrls: Record<string, string>,
  urls: Record<keyof typeof TRIMMED_TABLES, string>,
  tracker: SettlementTracker,
  settledPhase: string,
  started: number,
): Promise<Sample> {
  const tables = await Promise.all(
    (Object.keys(TRIMMED_TABLES) as (keyof typeof TRIMMED_TABLES)[]).map((db) =>
      tableFigures(urls[db], TRIMMED_TABLES[db]),
    ),
  )
  const processes = await Promise.all(
    ['orders-service', 'payments-service', 'api-gateway'].map(
      async (name) => [name, await processFigures(metricsUrls[name] as string)] as const,
    ),
  )
  const settle = distribution(tracker.phase(settledPhase).latencies)
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

function printSample(sample: Sample): void {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
  const tables = Object.keys(sample.rows)
    .map((table) => `${table} ${sample.rows[table]} rows/${mib(sample.bytes[table] as number)}`)
    .join(', ')
  const processes = Object.keys(sample.rssBytes)
    .map(
      (name) => `${name} ${mib(sample.rssBytes[name] as number)} loop p99 ${sample.eventLoopP99Ms[name]} ms`,
    )
    .join(', ')
  log(
    `t=${sample.atSeconds}s  ${tables}\n        ${processes}\n        settle p50 ${sample.settleP50Ms} ms p99 ${sample.settleP99Ms} ms`,
  )
}

/** Orders with more than one charge in the ledger: there must be none. */
async function chargedTwice(paymentsUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: paymentsUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ order_id: string }>(
      `SELECT order_id FROM payments.ledger_entries WHERE kind = 'charge' GROUP BY order_id HAVING count(*) > 1`,
    )
    return rows.map((row) => row.order_id)
  } finally {
    await client.end()
  }
}

const code = await main().catch((error) => {
  console.error(error)
  return 1
})
await launcher.stop()
process.exit(code)
