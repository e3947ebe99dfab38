import pg from 'pg'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../tests/support/database.ts'
import { notifySoon } from '../src/db/coalesced-notify.ts'
import { createPool } from '../src/db/pool.ts'
import {
  autocommit,
  type Executor,
  inTransaction,
  type SingleStatement,
  Transaction,
} from '../src/db/transaction.ts'

describe('a transaction', () => {
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

  const countWritten = async () =>
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM written')).rows[0]?.n

  it('is a type of its own: neither the pool, nor a bare connection, nor an autocommit statement is one', () => {
    const needsTransaction = (tx: Transaction) => tx
    const needsExecutor = (db: Executor) => db
    expectTypeOf<pg.Pool>().not.toExtend<Transaction>()
    expectTypeOf<pg.PoolClient>().not.toExtend<Transaction>()
    expectTypeOf<SingleStatement>().not.toExtend<Transaction>()
    expectTypeOf<pg.Pool>().not.toExtend<Executor>()
    expectTypeOf<SingleStatement>().toExtend<Executor>()
    expectTypeOf<Transaction>().toExtend<Executor>()
    // Never called: what matters is that the compiler refuses each line (npm run typecheck covers this file).
    const refused = () => {
      // @ts-expect-error the pool is not a transaction
      needsTransaction(pool)
      // @ts-expect-error nor is one of its connections
      needsTransaction({} as pg.PoolClient)
      // @ts-expect-error nor a statement that commits on its own
      needsTransaction(autocommit(pool))
      // @ts-expect-error a statement must say whether it runs on its own: the bare pool does not
      needsExecutor(pool)
      // @ts-expect-error only inTransaction makes one
      new Transaction({} as pg.PoolClient)
    }
    expect(refused).toBeTypeOf('function')
  })

  it('when it commits, then each callback runs once per key, after the commit is visible, with the pool', async () => {
    const seen: string[] = []
    const checks: Promise<unknown>[] = []
    await inTransaction(pool, async (tx) => {
      await tx.query('INSERT INTO written VALUES (1)')
      for (const attempt of [1, 2]) {
        tx.afterCommit('wake', (committedOn) => {
          seen.push(`${attempt}:${committedOn === pool}`)
          // Another connection sees the row: the callback runs after COMMIT, not before.
          checks.push(countWritten())
        })
      }
      tx.afterCommit('other', () => seen.push('other'))
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['2:true', 'other'])
    expect(await Promise.all(checks)).toEqual([1])
    await pool.query('DELETE FROM written')
  })

  it('when it rolls back, then nothing it wrote stays and no callback runs, then or later', async () => {
    const seen: string[] = []
    await expect(
      inTransaction(pool, async (tx) => {
        await tx.query('INSERT INTO written VALUES (1)')
        tx.afterCommit('wake', () => seen.push('ran'))
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    // The next transaction may well get the same connection: its commit must not run the old callback.
    await inTransaction(pool, async (tx) => {
      await tx.query('SELECT 1')
    })
    expect(seen).toEqual([])
    expect(await countWritten()).toBe(0)
  })

  it('when a statement fails, then the transaction rolls back and its callbacks never run', async () => {
    const seen: string[] = []
    await expect(
      inTransaction(pool, async (tx) => {
        await tx.query('INSERT INTO written VALUES (1)')
        tx.afterCommit('wake', () => seen.push('ran'))
        await tx.query('SELECT no_such_column FROM written')
      }),
    ).rejects.toThrow(/no_such_column/)
    expect(seen).toEqual([])
    expect(await countWritten()).toBe(0)
  })

  it('when a use case is handed the transaction, then its callback waits for the commit of whoever opened it', async () => {
    const seen: string[] = []
    const useCase = async (tx: Transaction) => {
      await tx.query('INSERT INTO written VALUES (2)')
      tx.afterCommit('wake', () => seen.push('ran'))
    }
    await inTransaction(pool, async (tx) => {
      await useCase(tx)
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['ran'])
    await pool.query('DELETE FROM written')
  })

  it('when a callback fails after the commit, then the committed work is not reported as failed', async () => {
    const result = await inTransaction(pool, async (tx) => {
      tx.afterCommit('broken', () => {
        throw new Error('lost wake-up')
      })
      return 'committed'
    })
    expect(result).toBe('committed')
  })

  it('when work keeps the transaction past its end, then its statements are refused, not run on a reused connection', async () => {
    let kept: Transaction | undefined
    await inTransaction(pool, async (tx) => {
      kept = tx
    })
    await expect(kept?.query('INSERT INTO written VALUES (4)')).rejects.toThrow(/has ended/)
    expect(await countWritten()).toBe(0)
  })

  it('when a statement runs on its own (autocommit), then it is committed as it returns and its callback runs at once', async () => {
    const single = autocommit(pool)
    await single.query('INSERT INTO written VALUES (3)')
    const seen: number[] = []
    single.afterCommit('wake', () => {
      seen.push(1)
    })
    expect(seen).toEqual([1])
    expect(await countWritten()).toBe(1)
    await pool.query('DELETE FROM written')
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
