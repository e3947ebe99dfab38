import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type pg from 'pg'
import { assertSchemaName } from './pool.ts'
import { inTransaction } from './transaction.ts'

export interface MigrationSource {
  /** Prefix of the recorded migration names, so two sources may both have a `001_…` file. */
  name: string
  directory: string
}

/**
 * Applies the `.sql` files of each source, in name order, that the schema has not seen yet. All of
 * them run in one transaction under an advisory lock, so instances starting together cannot race
 * and a failed migration leaves nothing half-done.
 */
export async function migrate(pool: pg.Pool, schema: string, sources: MigrationSource[]): Promise<string[]> {
  assertSchemaName(schema)
  return inTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`])
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await tx.query(`SET LOCAL search_path TO ${schema}`)
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    )
    const { rows } = await tx.query<{ name: string }>('SELECT name FROM schema_migrations')
    const applied = new Set(rows.map((row) => row.name))
    const appliedNow: string[] = []
    for (const source of sources) {
      const files = (await readdir(source.directory)).filter((file) => file.endsWith('.sql')).sort()
      for (const file of files) {
        const name = `${source.name}/${file}`
        if (applied.has(name)) continue
        await tx.query(await readFile(join(source.directory, file), 'utf8'))
        await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name])
        appliedNow.push(name)
      }
    }
    return appliedNow
  })
}

/** Every migration of every source has been applied: what `/ready` reports. */
export async function migrationsApplied(pool: pg.Pool, sources: MigrationSource[]): Promise<boolean> {
  const { rows } = await pool.query<{ name: string }>('SELECT name FROM schema_migrations')
  const applied = new Set(rows.map((row) => row.name))
  for (const source of sources) {
    const files = (await readdir(source.directory)).filter((file) => file.endsWith('.sql'))
    if (files.some((file) => !applied.has(`${source.name}/${file}`))) return false
  }
  return true
}
