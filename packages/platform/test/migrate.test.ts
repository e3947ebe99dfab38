import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { migrate, migrationsApplied } from '../src/db/migrate.ts'
import { createPool } from '../src/db/pool.ts'

describe('migrate', () => {
  let database: TestDatabase
  let directory: string

  beforeAll(async () => {
    database = await createTestDatabase()
    directory = await mkdtemp(join(tmpdir(), 'migrations-'))
    await writeFile(join(directory, '001_things.sql'), 'CREATE TABLE things (id int PRIMARY KEY);')
    await writeFile(join(directory, '002_more.sql'), 'ALTER TABLE things ADD COLUMN name text;')
  })
  afterAll(async () => {
    await database.drop()
  })

  it('when several instances migrate at once, then each file is applied exactly once', async () => {
    const pools = [1, 2, 3].map(() =>
      createPool({ connectionString: database.url, schema: 'migrate_test', applicationName: 'test' }),
    )
    const sources = [{ name: 'test', directory }]
    const results = await Promise.all(pools.map((pool) => migrate(pool, 'migrate_test', sources)))
    expect(results.flat().sort()).toEqual(['test/001_things.sql', 'test/002_more.sql'])
    const pool = pools[0] as (typeof pools)[number]
    expect(await migrationsApplied(pool, sources)).toBe(true)
    expect(await migrate(pool, 'migrate_test', sources)).toEqual([])
    await pool.query("INSERT INTO things (id, name) VALUES (1, 'lives in its schema')")
    await Promise.all(pools.map((each) => each.end()))
  })

  it('when a migration fails, then nothing of the run is applied', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'migrations-'))
    await writeFile(join(broken, '001_ok.sql'), 'CREATE TABLE fine (id int);')
    await writeFile(join(broken, '002_bad.sql'), 'CREATE TABLE nope (id int REFERENCES missing (id));')
    const pool = createPool({
      connectionString: database.url,
      schema: 'broken_test',
      applicationName: 'test',
    })
    await expect(migrate(pool, 'broken_test', [{ name: 'broken', directory: broken }])).rejects.toThrow()
    const { rowCount } = await pool.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = 'broken_test' AND table_name = 'fine'",
    )
    expect(rowCount).toBe(0)
    await pool.end()
  })
})
