import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { afterCommit, createPool, withTransaction } from '../src/db/pool.ts'

describe('afterCommit', () => {
  let database: TestDatabase
  let pool: pg.Pool

  beforeAll(async () => {
    database = await createTestDatabase()
    pool = createPool({ connectionString: database.url, schema: 'public', applicationName: 'test' })
  })
  afterAll(async () => {
    await pool.end()
    await database.drop()
  })

  it('when the transaction commits, then each key runs once, after the commit, on the same connection', async () => {
    const seen: string[] = []
    await withTransaction(pool, async (trx) => {
      const backend = (await trx.query('SELECT pg_backend_pid() AS pid')).rows[0].pid
      for (const attempt of [1, 2]) {
        afterCommit(trx, 'wake', async (client) => {
          const { rows } = await client.query(
            'SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS fresh',
          )
          seen.push(`${attempt}:${rows[0].pid === backend}:${rows[0].fresh}`)
        })
      }
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['2:true:true'])
  })

  it('when the transaction rolls back, then nothing runs', async () => {
    const seen: string[] = []
    await expect(
      withTransaction(pool, async (trx) => {
        afterCommit(trx, 'wake', async () => seen.push('ran'))
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(seen).toEqual([])
  })

  it('when a use case joins a caller’s transaction, then its callback waits for the caller’s commit', async () => {
    const seen: string[] = []
    await withTransaction(pool, async (outer) => {
      await withTransaction(outer, async (inner) => {
        afterCommit(inner, 'wake', async () => seen.push('ran'))
      })
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['ran'])
  })

  it('when a callback fails after the commit, then the committed work is not reported as failed', async () => {
    const result = await withTransaction(pool, async (trx) => {
      afterCommit(trx, 'broken', async () => {
        throw new Error('lost wake-up')
      })
      return 'committed'
    })
    expect(result).toBe('committed')
  })
})
