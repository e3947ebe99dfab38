/**
 * What PostgreSQL was doing during a window: what its busy connections waited on (sampled from
 * pg_stat_activity every SAMPLE_MS, by application), and how many transactions each database
 * committed and how many WAL flushes that took (pg_stat_database, pg_stat_io). When the server
 * preloads pg_stat_statements (`--profile`), also where its execution time went, by statement.
 */
import pg from 'pg'
import { round } from './stats.ts'

const SAMPLE_MS = 100
const STATEMENTS_KEPT = 25

export interface ActivityReport {
  samples: number
  /** Busy (non-idle) client connections on average, by `application · state/wait`. */
  waits: { name: string; avgConnections: number }[]
  /**
   * Commits per second by database (pg_stat_database). Backends report these at most once a
   * second and busy ones later still: approximate over a short window.
   */
  commitsPerSec: Record<string, number>
  walFsyncsPerSec: number | null
  /** Transaction ids handed out per second, cluster-wide: exact, every transaction that wrote. */
  writeTransactionsPerSec: number
  /** WAL written per second, MB (exact: the WAL insert position). */
  walMbPerSec: number
  /** The statements that took the most execution time in the window (pg_stat_statements). */
  statements?: StatementTime[]
}

export interface StatementTime {
  database: string
  query: string
  calls: number
  /** Execution time, all calls together, ms. */
  totalMs: number
  meanMs: number
  rows: number
}

interface Counters {
  commits: Map<string, number>
  walFsyncs: number | null
  xid: number
  walBytes: number
  at: number
}

export class PgActivity {
  readonly #client: pg.Client

  constructor(adminUrl: string) {
    this.#client = new pg.Client({ connectionString: adminUrl, application_name: 'bench-activity' })
  }

  #statements = false

  async connect(): Promise<void> {
    await this.#client.connect()
    const { rows } = await this.#client.query<{ preloaded: string }>(
      `SELECT current_setting('shared_preload_libraries') AS preloaded`,
    )
    if (rows[0]?.preloaded.includes('pg_stat_statements')) {
      await this.#client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
      this.#statements = true
    }
  }

  async #topStatements(limit: number): Promise<StatementTime[]> {
    const { rows } = await this.#client.query<{
      database: string
      query: string
      calls: string
      total: number
      rows: string
    }>(
      `SELECT d.datname AS database, s.query, s.calls::text AS calls, s.total_exec_time AS total,
              s.rows::text AS rows
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname LIKE 'shop\\_%'
        ORDER BY s.total_exec_time DESC LIMIT $1`,
      [limit],
    )
    return rows.map((row) => ({
      database: row.database,
      query: row.query.replace(/\s+/g, ' ').slice(0, 300),
      calls: Number(row.calls),
      totalMs: round(row.total),
      meanMs: round(row.total / Math.max(1, Number(row.calls)), 3),
      rows: Number(row.rows),
    }))
  }

  async close(): Promise<void> {
    await this.#client.end().catch(() => {})
  }

  async #counters(): Promise<Counters> {
    const { rows } = await this.#client.query<{ datname: string; commits: string }>(
      `SELECT datname, xact_commit::text AS commits FROM pg_stat_database WHERE datname LIKE 'shop\\_%'`,
    )
    const walFsyncs = await this.#client
      .query<{ n: string | null }>(`SELECT sum(fsyncs)::text AS n FROM pg_stat_io WHERE object = 'wal'`)
      .then(({ rows: wal }) => (wal[0]?.n == null ? null : Number(wal[0].n)))
      .catch(() => null)
    const { rows: positions } = await this.#client.query<{ xid: string; wal: string }>(
      `SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xid,
              (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS wal`,
    )
    return {
      commits: new Map(rows.map((row) => [row.datname, Number(row.commits)])),
      walFsyncs,
      xid: Number(positions[0]?.xid ?? 0),
      walBytes: Number(positions[0]?.wal ?? 0),
      at: performance.now(),
    }
  }

  /** Starts sampling; the returned function stops and reports. */
  async begin(): Promise<() => Promise<ActivityReport>> {
    if (this.#statements) await this.#client.query('SELECT pg_stat_statements_reset()')
    const before = await this.#counters()
    const waits = new Map<string, number>()
    let samples = 0
    let running = true
    const loop = (async () => {
      while (running) {
        const { rows } = await this.#client
          .query<{ app: string; state: string; type: string | null; event: string | null }>(
            `SELECT application_name AS app, state, wait_event_type AS type, wait_event AS event
               FROM pg_stat_activity
              WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'`,
          )
          .catch(() => ({ rows: [] }))
        samples += 1
        for (const row of rows) {
          const what =
            row.state === 'active'
              ? row.type
                ? `active, waiting ${row.type}:${row.event}`
                : 'active, on CPU'
              : `${row.state}${row.event ? ` (${row.event})` : ''}`
          const key = `${row.app || '?'} · ${what}`
          waits.set(key, (waits.get(key) ?? 0) + 1)
        }
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS))
      }
    })()
    return async () => {
      running = false
      await loop
      const after = await this.#counters()
      const seconds = (after.at - before.at) / 1000
      const commitsPerSec: Record<string, number> = {}
      for (const [database, commits] of after.commits) {
        commitsPerSec[database] = round((commits - (before.commits.get(database) ?? 0)) / seconds)
      }
      return {
        samples,
        waits: [...waits]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 12)
          .map(([name, count]) => ({ name, avgConnections: round(count / Math.max(1, samples), 2) })),
        commitsPerSec,
        walFsyncsPerSec:
          after.walFsyncs === null || before.walFsyncs === null
            ? null
            : round((after.walFsyncs - before.walFsyncs) / seconds),
        writeTransactionsPerSec: round((after.xid - before.xid) / seconds),
        walMbPerSec: round((after.walBytes - before.walBytes) / seconds / 1024 ** 2, 2),
        ...(this.#statements ? { statements: await this.#topStatements(STATEMENTS_KEPT) } : {}),
      }
    }
  }
}

/** A table of statement times, the costliest first, for the console. */
export function formatStatements(title: string, statements: StatementTime[], seconds: number): string {
  const lines = [`${title}: PostgreSQL execution time by statement (ms per second of the window)`]
  for (const statement of statements) {
    lines.push(
      `${String(round(statement.totalMs / seconds)).padStart(8)}  ${String(round(statement.calls / seconds)).padStart(7)} calls/s  ${String(statement.meanMs).padStart(7)} ms  ${statement.database.padEnd(13)} ${statement.query.slice(0, 140)}`,
    )
  }
  return lines.join('\n')
}
