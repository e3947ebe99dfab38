import { inTransaction, type Transaction } from '@shop/platform'
import type pg from 'pg'

export interface HeldTransaction {
  tx: Transaction
  /** Lets the transaction commit; resolves once it has. */
  commit(): Promise<void>
  /** Makes the transaction roll back; resolves once it has. */
  rollback(): Promise<void>
}

class RolledBackOnPurpose extends Error {}

/**
 * A transaction opened by `inTransaction` and held open until the test ends it, so a test can
 * look at the world between a statement and its commit.
 */
export async function holdTransaction(pool: pg.Pool): Promise<HeldTransaction> {
  let opened!: (tx: Transaction) => void
  let end!: (rollBack: boolean) => void
  const ready = new Promise<Transaction>((resolve) => {
    opened = resolve
  })
  const ending = new Promise<boolean>((resolve) => {
    end = resolve
  })
  const done = inTransaction(pool, async (tx) => {
    opened(tx)
    if (await ending) throw new RolledBackOnPurpose()
  }).catch((error) => {
    if (!(error instanceof RolledBackOnPurpose)) throw error
  })
  const tx = await Promise.race([
    ready,
    done.then(() => Promise.reject(new Error('transaction did not open'))),
  ])
  return {
    tx,
    commit: () => {
      end(false)
      return done
    },
    rollback: () => {
      end(true)
      return done
    },
  }
}
