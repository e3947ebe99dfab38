import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { notifySoon } from '../src/db/coalesced-notify.ts'
import { afterCommit, createPool, withTransaction } from '../src/db/pool.ts'

describe('afterCommit', () => {
  let database: TestDatabase
  let pool: pg.Pool

  beforeAll(async () => {
    database = await createTestDatabase()
    pool = createPool({ connectionString: database.url, schema: 'public', applicationName: 'test' })
    await pool.query('CREATE TABLE written (n int)')
  })
  afterAll(async () => {
    await pool.end()
    await database.drop()
  })

  it('when the transaction commits, then each key runs once, after the commit is visible, with the pool', async () => {
    const seen: string[] = []
    const checks: Promise<unknown>[] = []
    await withTransaction(pool, async (trx) => {
      await trx.query('INSERT INTO written VALUES (1)')
      for (const attempt of [1, 2]) {
        afterCommit(trx, 'wake', (committedOn) => {
          seen.push(`${attempt}:${committedOn === pool}`)
          // Another connection sees the row: the callback runs after COMMIT, not before.
          checks.push(
            committedOn.query('SELECT count(*)::int AS n FROM written').then(({ rows }) => rows[0].n),
          )
        })
      }
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['2:true'])
    expect(await Promise.all(checks)).toEqual([1])
    await pool.query('DELETE FROM written')
  })

  it('when the transaction rolls back, then nothing runs', async () => {
    const seen: string[] = []
    await expect(
      withTransaction(pool, async (trx) => {
        afterCommit(trx, 'wake', () => seen.push('ran'))
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(seen).toEqual([])
  })

  it('when a use case joins a caller’s transaction, then its callback waits for the caller’s commit', async () => {
    const seen: string[] = []
    await withTransaction(pool, async (outer) => {
      await withTransaction(outer, async (inner) => {
        afterCommit(inner, 'wake', () => seen.push('ran'))
      })
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['ran'])
  })

  it('when a callback fails after the commit, then the committed work is not reported as failed', async () => {
    const result = await withTransaction(pool, async (trx) => {
      afterCommit(trx, 'broken', () => {
        throw new Error('lost wake-up')
      })
      return 'committed'
    })
    expect(result).toBe('committed')
  })

  it('when asked on a connection that is not a transaction of withTransaction, then it refuses', async () => {
    const client = await pool.connect()
    try {
      expect(() => afterCommit(client, 'wake', () => {})).toThrow(/withTransaction/)
    } finally {
      client.release()
    }
  })
})

describe('notifySoon', () => {
  let database: TestDatabase
  let pool: pg.Pool
  let listener: pg.Client
  const heard: string[] = []

  beforeAll(async () => {
    database = await createTestDatabase()
    pool = createPool({ connectionString: database.url, schema: 'public', applicationName: 'test' })
    listener = new pg.Client({ connectionString: database.url })
    await listener.connect()
    listener.on('notification', (message) => heard.push(message.payload ?? ''))
    await listener.query('LISTEN wake_test')
  })
  afterAll(async () => {
    await listener.end()
    await pool.end()
    await database.drop()
  })

  it('when many ask at once, then two notifications go out: one at once, one for everyone who asked meanwhile', async () => {
    for (let ask = 0; ask < 50; ask += 1) notifySoon(pool, "'wake_test'", 'topic-a')
    await expect.poll(() => heard.length).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(heard).toEqual(['topic-a', 'topic-a'])

    notifySoon(pool, "'wake_test'", 'topic-b')
    await expect.poll(() => heard).toEqual(['topic-a', 'topic-a', 'topic-b'])
  })
})
