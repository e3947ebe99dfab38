import type { ServiceMetrics } from '../metrics.ts'
import type { RetentionTarget } from './retention-trimmer.ts'

/**
 * A table's rows (PostgreSQL's estimate) and bytes, summed over its partitions (a table not
 * partitioned is its own one leaf); no row when it does not exist.
 */
export const TABLE_SIZE = `SELECT sum(greatest(c.reltuples, 0))::float8 AS rows, sum(pg_total_relation_size(c.oid))::float8 AS bytes
                FROM pg_partition_tree(to_regclass($1)) tree JOIN pg_class c ON c.oid = tree.relid
               WHERE tree.isleaf HAVING count(*) > 0`

/**
 * Gauges read at each scrape that show whether retention keeps up: how many rows and bytes each
 * trimmed table holds, how old its oldest expirable row is, and the window it should stay within.
 */
export function registerRetentionGauges(metrics: ServiceMetrics, targets: readonly RetentionTarget[]): void {
  const perTable = (
    name: string,
    help: string,
    read: (target: RetentionTarget) => Promise<number | undefined>,
  ) =>
    metrics.gauge(name, help, ['table'], async (gauge) => {
      for (const target of targets) {
        const value = await read(target)
        if (value !== undefined) gauge.set({ table: target.table.name }, value)
      }
    })
  const sizeOf = async ({ pool, table }: RetentionTarget) =>
    (await pool.query<{ rows: number; bytes: number }>(TABLE_SIZE, [table.name])).rows[0]

  perTable(
    'retention_table_rows',
    'Rows of a table retention trims, as PostgreSQL estimates them (pg_class.reltuples), summed over its partitions.',
    async (target) => (await sizeOf(target))?.rows,
  )
  perTable(
    'retention_table_bytes',
    'Bytes on disk of a table retention trims, its partitions, indexes and TOAST included.',
    async (target) => (await sizeOf(target))?.bytes,
  )
  perTable(
    'retention_oldest_row_age_seconds',
    'Age of the oldest row retention would delete once past its window (outbox: published; dead_letters: replayed); 0 when there is none.',
    async ({ pool, table }) =>
      (await pool.query<{ age: number | null }>(table.oldestAgeSeconds)).rows[0]?.age ?? 0,
  )
  perTable(
    'retention_window_seconds',
    'How long a table keeps its rows: its *_RETENTION setting (idempotency_keys: the 24 hours a key replays).',
    async ({ retentionMs }) => retentionMs / 1000,
  )
}
