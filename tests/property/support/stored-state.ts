import pg from 'pg'
import { waitUntilNothingNew } from '../../../scripts/lib/settle-waiter.ts'
import type { RunningShop } from '../../support/shop.ts'

/**
 * A fingerprint of everything the two services store that a request could change: row counts,
 * balances and the latest update of every business table. Two equal fingerprints taken around a
 * request mean the request changed nothing, for any user.
 */
export type Fingerprint = Record<string, string>

const ORDERS_FINGERPRINT = `
  SELECT
    (SELECT count(*) FROM orders.orders) AS orders,
    (SELECT count(*) FILTER (WHERE status = 'NEW') FROM orders.orders) AS orders_new,
    (SELECT coalesce(sum(amount_minor), 0) FROM orders.orders) AS orders_amount,
    (SELECT coalesce(max(updated_at)::text, '') FROM orders.orders) AS orders_updated,
    (SELECT count(*) FROM orders.outbox) AS orders_outbox`

const PAYMENTS_FINGERPRINT = `
  SELECT
    (SELECT count(*) FROM payments.accounts) AS accounts,
    (SELECT coalesce(sum(balance_minor), 0) FROM payments.accounts) AS balances,
    (SELECT coalesce(max(updated_at)::text, '') FROM payments.accounts) AS accounts_updated,
    (SELECT count(*) FROM payments.payments) AS payments,
    (SELECT count(*) FROM payments.ledger_entries) AS ledger_entries,
    (SELECT coalesce(sum(amount_minor), 0) FROM payments.ledger_entries) AS ledger_sum`

export interface StoredState {
  fingerprint(): Promise<Fingerprint>
  /** Waits until no order is NEW: every accepted order is paid or cancelled, nothing moves by itself. */
  settled(): Promise<void>
  /** The balance in minor units, or undefined without an account. */
  balanceOf(userId: string): Promise<string | undefined>
  close(): Promise<void>
}

/** Reads the services' own databases, read-only, to see what a request really changed. */
export async function openStoredState(shop: RunningShop): Promise<StoredState> {
  const orders = new pg.Client({ connectionString: shop.databases.orders.url })
  const payments = new pg.Client({ connectionString: shop.databases.payments.url })
  await Promise.all([orders.connect(), payments.connect()])
  const stringify = (row: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, String(value)]))

  return {
    async fingerprint() {
      const [fromOrders, fromPayments] = await Promise.all([
        orders.query(ORDERS_FINGERPRINT),
        payments.query(PAYMENTS_FINGERPRINT),
      ])
      return { ...stringify(fromOrders.rows[0]), ...stringify(fromPayments.rows[0]) }
    },
    async settled() {
      const pending = await waitUntilNothingNew(orders, { deadline: Date.now() + 15_000, intervalMs: 10 })
      if (pending !== 0) throw new Error(`${pending} orders still NEW after 15 s`)
    },
    async balanceOf(userId) {
      const { rows } = await payments.query(
        'SELECT balance_minor::text AS b FROM payments.accounts WHERE user_id = $1',
        [userId],
      )
      return rows[0]?.b
    },
    async close() {
      await Promise.all([orders.end(), payments.end()])
    },
  }
}
