/**
 * `npm run soak`: does the shop run for months? A bounded, steady load of orders on the embedded
 * transport, with retention windows of minutes instead of days, so that within the run every
 * trimmed table fills its window and must then stay there. Every sample interval it records each
 * trimmed table's rows and bytes, each service's resident memory and event-loop p99, and the
 * settlement latency of the orders accepted in that interval; at the end it fails when any of
 * them kept growing after the warm-up (growth.ts), when an order did not settle, or when one was
 * charged twice.
 *
 * `--short` (`npm run soak -- --short`, what CI runs): two minutes, a sample every 10 s, windows
 * of seconds. `--aging` is the aging test (aging.ts): the same load on empty tables and then after
 * `--history-rows` (default 750,000) rows of old history were written into each of four trimmed
 * tables, three million in all, comparing the p99s; `--minutes` is then each load's length.
 */
import { parseArgs } from 'node:util'
import { OrderClient } from '../bench/lib/load.ts'
import { SettlementTracker } from '../bench/lib/settlement.ts'
import { SystemLauncher } from '../bench/lib/system.ts'
import { RunnerLifecycle } from '../lib/launcher/runner-lifecycle.ts'
import { withClient } from '../lib/pg-client.ts'
import { runAging } from './aging.ts'
import { openAccounts } from './order-load.ts'
import { runSteadySoak } from './steady.ts'

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    aging: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    rate: { type: 'string', default: '50' },
    'history-rows': { type: 'string', default: '750000' },
  },
})
const short = args.short || args.aging
const minutes = Number(args.minutes ?? (short ? 2 : 10))
const rate = Number(args.rate)
const USERS = 50
// Windows of seconds in the short form and the aging test, of minutes otherwise; INBOX_RETENTION
// must outlast LOG_RETENTION.
const RETENTION = short
  ? { OUTBOX_RETENTION: '20s', LOG_RETENTION: '20s', INBOX_RETENTION: '30s', RETENTION_INTERVAL: '10s' }
  : { OUTBOX_RETENTION: '2m', LOG_RETENTION: '2m', INBOX_RETENTION: '3m', RETENTION_INTERVAL: '30s' }

const log = (line: string) => console.log(line)
const launcher = new SystemLauncher({ transport: 'embedded', logLevel: 'warn', serviceEnv: RETENTION, log })
// Ctrl-C, SIGTERM or a run past its deadline stops the services and PostgreSQL before it exits.
const lifecycle = new RunnerLifecycle(launcher, log)
await lifecycle.run(main, { deadlineMs: (minutes * (args.aging ? 2 : 1) + 15) * 60_000 })

async function main(): Promise<number> {
  const started = performance.now()
  const system = await launcher.start()
  const urls = system.databaseUrls
  const client = new OrderClient(system.urls['api-gateway'], 32)
  const users = await openAccounts(system.urls['api-gateway'], USERS)
  const tracker = new SettlementTracker(system.ordersDatabaseUrl)
  await tracker.start()
  lifecycle.closers.push(
    () => client.close(),
    () => tracker.stop(),
  )
  const load = { client, tracker, users, rate }

  log(
    `${args.aging ? 'aging test' : 'soak'}: ${rate} orders/s for ${minutes} min${args.aging ? ' twice' : ''}, retention ${JSON.stringify(RETENTION)}`,
  )
  const found = args.aging
    ? await runAging(
        system,
        urls,
        load,
        { minutes, historyRows: Number(args['history-rows']), retention: RETENTION },
        log,
      )
    : await runSteadySoak(
        system,
        urls,
        load,
        // The short form's tables fill their windows within 40 s; the long form's within half the run.
        {
          minutes,
          sampleSeconds: short ? 10 : 60,
          warmupSeconds: short ? 40 : (minutes * 60) / 2,
        },
        log,
      )
  const unsettled = await tracker.waitFor(undefined, 30_000)

  const problems = [
    ...found,
    ...(unsettled > 0 ? [`${unsettled} accepted orders did not settle`] : []),
    ...(await settledTwice(urls.payments)).map((order) => `order ${order} was settled more than once`),
  ]
  for (const problem of problems) log(`FAIL ${problem}`)
  if (problems.length === 0)
    log(`${args.aging ? 'aging test' : 'soak'} passed: every figure held, every order settled once`)
  log(`wall time ${Math.round((performance.now() - started) / 1000)} s`)
  return problems.length === 0 ? 0 : 1
}

/** Orders charged more than once in the ledger (payments.order_id is a key: one payment each): there must be none. */
async function settledTwice(paymentsUrl: string): Promise<string[]> {
  return withClient(paymentsUrl, async (client) => {
    const { rows } = await client.query<{ order_id: string }>(
      `SELECT order_id FROM payments.ledger_entries WHERE kind = 'charge' GROUP BY order_id HAVING count(*) > 1`,
    )
    return rows.map((row) => row.order_id)
  })
}
