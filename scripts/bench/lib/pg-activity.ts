/**
 * What PostgreSQL was doing during a window: what its busy connections waited on (sampled from
 * pg_stat_activity every SAMPLE_MS, by application), and how many transactions each database
 * committed and how many WAL flushes that took (pg_stat_database, pg_stat_io).
 */
import pg from 'pg'
import { round } from './stats.ts'

const SAMPLE_MS = 100

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

  async connect(): Promise<void> {
    await this.#client.connect()
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
      }
    }
  }
}
