import type pg from 'pg'
import { type MockInstance, vi } from 'vitest'

/**
 * The statements `send` makes the pool's connections run, on whichever connection, in order: what
 * it costs in round trips and commits. The NOTIFY that wakes the relay after a commit is left out
 * (it is not awaited).
 */
export async function statementsSent(pool: pg.Pool, send: () => Promise<unknown>): Promise<string[]> {
  const spies = new Set<MockInstance>()
  const watch = (client: pg.PoolClient) => spies.add(vi.spyOn(client, 'query'))
  pool.on('acquire', watch)
  try {
    await send()
  } finally {
    pool.off('acquire', watch)
  }
  const sent = [...spies].flatMap((spy) =>
    spy.mock.calls.map(([sql]) => (typeof sql === 'string' ? sql : (sql as pg.QueryConfig).text)),
  )
  for (const spy of spies) spy.mockRestore()
  return sent.filter((sql) => !sql.startsWith('SELECT pg_notify'))
}

/** How many commits those statements made: each transaction once, each statement outside one once. */
export function commitsAmong(statements: readonly string[]): number {
  let commits = 0
  let inTransaction = false
  for (const sql of statements) {
    if (sql === 'BEGIN') inTransaction = true
    else if (sql === 'COMMIT' || sql === 'ROLLBACK') {
      if (sql === 'COMMIT') commits++
      inTransaction = false
    } else if (!inTransaction) commits++
  }
  return commits
}
