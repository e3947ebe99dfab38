/**
 * `node scripts/soak/trim-strategies.ts [--rows 2000000] [--rate 500]`: batched deletes or dropped
 * partitions? On a throwaway embedded PostgreSQL, for an outbox-like and an inbox-like table in
 * each layout (trim-layouts.ts): fills `--rows` rows spread over ten days, then forgets everything
 * older than a day while another connection inserts `--rate` rows a second, and prints the trim's
 * throughput, the inserts' p99 before and during the trim, and the table's size (indexes
 * included) before, right after, and after a plain VACUUM.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { distribution, sleep } from '../bench/lib/stats.ts'
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from '../lib/embedded-postgres.ts'
import { freePort } from '../lib/launcher/service-process.ts'
import { withClient } from '../lib/pg-client.ts'
import { createAndFill, insertOne, type Strategy, type TableKind, trim } from './trim-layouts.ts'

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    rate: { type: 'string', default: '500' },
  },
})
const ROWS = Number(args.rows)
const RATE = Number(args.rate)
/** Inserts measured before the trim starts, as the baseline. */
const BASELINE_MS = 5_000

interface Figures {
  kind: TableKind
  strategy: Strategy
  trimmed: number
  trimSeconds: number
  insertP99Before: number | null
  insertP99During: number | null
  insertMaxDuring: number | null
  mib: { filled: number; trimmed: number; vacuumed: number }
}

/** Inserts a row every 1000/RATE ms until stopped; answers each insert's time, ms. */
function steadyWriter(url: string, kind: TableKind) {
  const times: number[] = []
  let running = true
  const done = withClient(url, async (client) => {
    const started = performance.now()
    for (let n = 0; running; n += 1) {
      const before = performance.now()
      await client.query(insertOne(kind))
      times.push(performance.now() - before)
      await sleep(Math.max(0, started + ((n + 1) * 1000) / RATE - performance.now()))
    }
  })
  return {
    /** Times from now on. */
    mark: () => times.length,
    since: (mark: number) => times.slice(mark),
    stop: async () => {
      running = false
      await done
    },
  }
}

async function measure(url: string, kind: TableKind, strategy: Strategy): Promise<Figures> {
  return withClient(url, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS bench CASCADE`)
    await client.query(`CREATE SCHEMA bench`)
    await client.query(`SET search_path TO bench`)
    await createAndFill(client, kind, strategy, ROWS)
    const mib = async () =>
      (
        await client.query<{ bytes: string }>(
          `SELECT (SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'bench' AND c.relkind IN ('r', 'p'))::text AS bytes`,
        )
      ).rows.map((row) => Math.round(Number(row.bytes) / 1024 / 1024))[0] ?? 0
    const filled = await mib()
    const writer = steadyWriter(
      `${url}${url.includes('?') ? '&' : '?'}options=-c%20search_path%3Dbench`,
      kind,
    )
    await sleep(BASELINE_MS)
    const trimStarts = writer.mark()
    const started = performance.now()
    const trimmed = await trim(client, url, kind, strategy)
    const trimSeconds = (performance.now() - started) / 1000
    const during = distribution(writer.since(trimStarts))
    await writer.stop()
    const before = distribution(writer.since(0).slice(0, trimStarts))
    const afterTrim = await mib()
    await client.query(`VACUUM ${kind}`)
    return {
      kind,
      strategy,
      trimmed,
      trimSeconds,
      insertP99Before: before.p99,
      insertP99During: during.p99,
      insertMaxDuring: during.max,
      mib: { filled, trimmed: afterTrim, vacuumed: await mib() },
    }
  })
}

function print(figures: Figures[]): void {
  console.log(
    '| table | strategy | rows forgotten | seconds | rows/s | insert p99 before / during, ms (max during) | MiB filled / after trim / after VACUUM |',
  )
  console.log('|---|---|---|---|---|---|---|')
  for (const each of figures) {
    console.log(
      `| ${each.kind} | ${each.strategy} | ${each.trimmed.toLocaleString('en')} | ${each.trimSeconds.toFixed(2)} | ${Math.round(each.trimmed / each.trimSeconds).toLocaleString('en')} | ${each.insertP99Before} / ${each.insertP99During} (${each.insertMaxDuring}) | ${each.mib.filled} / ${each.mib.trimmed} / ${each.mib.vacuumed} |`,
    )
  }
}

const dataDir = await mkdtemp(join(tmpdir(), 'shop-trim-strategies-'))
const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false })
try {
  await ensureDatabase(postgres.adminUrl, 'trim_bench')
  const url = withDatabase(postgres.adminUrl, 'trim_bench')
  console.log(
    `${ROWS.toLocaleString('en')} rows a table over ten days, a writer at ${RATE} rows/s; trimming to one day`,
  )
  const figures: Figures[] = []
  for (const kind of ['outbox', 'inbox'] as const) {
    for (const strategy of ['batched', 'partitioned'] as const) {
      figures.push(await measure(url, kind, strategy))
      console.log(`  ${kind} ${strategy} done`)
    }
  }
  print(figures)
} finally {
  await postgres.stop()
  await rm(dataDir, { recursive: true, force: true })
}
