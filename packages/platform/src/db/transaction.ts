import type pg from 'pg'

/** Told once the work committed, with the pool it ran on; it must not throw. */
export type AfterCommit = (pool: pg.Pool) => void

/** The SQL a statement runs: a text, or a config such as a prepared statement with its values. */
type Sql = string | pg.QueryConfig

function runAfterCommit(callback: AfterCommit, pool: pg.Pool): void {
  try {
    callback(pool)
  } catch {
    // The work is committed: a failing follow-up (a lost wake-up) must not turn it into an error.
  }
}

/** Runs statements on a pool, or on one connection of it; what happens after a commit is each kind's own. */
abstract class StatementRunner {
  readonly #runner: pg.Pool | pg.PoolClient

  protected constructor(runner: pg.Pool | pg.PoolClient) {
    this.#runner = runner
  }

  query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: Sql,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>> {
    return this.#runner.query<Row>(sql, values)
  }

  abstract afterCommit(key: string, callback: AfterCommit): void
}

/**
 * One open transaction on one connection of a pool, handed by `inTransaction` to the work it runs.
 * It can only be made there (a pool or a bare connection is not one), so a function that asks for
 * a Transaction states that its statements must commit or roll back together, and the compiler
 * holds every caller to it.
 */
export class Transaction extends StatementRunner {
  readonly #client: pg.PoolClient
  readonly #afterCommit = new Map<string, AfterCommit>()
  #ended = false

  private constructor(client: pg.PoolClient) {
    super(client)
    this.#client = client
  }

  /** Refuses once the transaction ended: its connection is back in the pool, maybe someone else's now. */
  override query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: Sql,
    values?: unknown[],
  ): Promise<pg.QueryResult<Row>> {
    if (this.#ended) return Promise.reject(new Error('this transaction has ended; open a new one'))
    return super.query<Row>(sql, values)
  }

  /**
   * Calls `callback` once this transaction has committed (never if it rolls back), once per `key`
   * however often it is asked, with the pool the transaction came from. For wake-ups such as
   * NOTIFY: PostgreSQL makes every committing transaction that notified wait for one cluster-wide
   * lock held through its disk flush, so notifying inside the transaction serialises commits, and
   * one sent on the connection after COMMIT still costs the request a round trip. The callback
   * runs after the connection went back to the pool and is not waited for.
   */
  override afterCommit(key: string, callback: AfterCommit): void {
    this.#afterCommit.set(key, callback)
  }

  /** See `inTransaction`. */
  static async run<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = new Transaction(await pool.connect())
    let broken = false
    let committed = false
    try {
      await tx.#client.query('BEGIN')
      const result = await work(tx)
      await tx.#client.query('COMMIT')
      committed = true
      return result
    } catch (error) {
      await tx.#client.query('ROLLBACK').catch(() => {
        broken = true
      })
      throw error
    } finally {
      tx.#ended = true
      tx.#client.release(broken)
      if (committed) for (const callback of tx.#afterCommit.values()) runAfterCommit(callback, pool)
      tx.#afterCommit.clear()
    }
  }
}

/**
 * Opens a transaction on a connection of `pool` and runs `work` in it: committed when `work`
 * resolves, rolled back when it throws. Entry points (routes, consumers, background jobs) call it,
 * and hand the transaction down to every use case and repository that must share it.
 */
export function inTransaction<T>(pool: pg.Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return Transaction.run(pool, work)
}

/**
 * A statement that commits on its own, PostgreSQL's autocommit: no BEGIN and COMMIT round trips.
 * Enough for a read, and for a write that is one statement, which is atomic by itself. Made by
 * `autocommit(pool)`; it is not a Transaction, so code that needs several statements to commit
 * together cannot be given one.
 */
export class SingleStatement extends StatementRunner {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    super(pool)
    this.#pool = pool
  }

  /** The statement committed as it returned, so `callback` runs at once: ask after the statement. */
  override afterCommit(_key: string, callback: AfterCommit): void {
    runAfterCommit(callback, this.#pool)
  }
}

/** Runs statements on `pool` with no transaction around them, each committing as it completes. */
export function autocommit(pool: pg.Pool): SingleStatement {
  return new SingleStatement(pool)
}

/**
 * Where a repository that needs only one statement runs it: in the caller's transaction, or on
 * its own. A repository that needs several statements to commit together asks for a Transaction.
 */
export type Executor = Transaction | SingleStatement
