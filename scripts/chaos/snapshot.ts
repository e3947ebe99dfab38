/**
 * The truth the checks judge: every row that matters, read straight from the two services'
 * databases after the system settled, and what the public API says about the same users. Outbox
 * and inbox are read whole: the rows retention deleted during the run (kept by the trim archive)
 * together with those still there.
 */
import type { StatementEntry as StatementEntrySchema } from '@shop/contracts'
import pg from 'pg'
import type { Static } from 'typebox'
import { eventIdOf, eventTypeOf } from './audit.ts'
import { call } from './http.ts'
import { ARCHIVED_TABLES, wholeHistory } from './trim-archive.ts'

export interface OrderRow {
  id: string
  userId: string
  amountMinor: number
  status: 'NEW' | 'FINISHED' | 'CANCELLED' | 'REFUNDED'
  reason: string | null
  description: string | null
  refundedMinor: number
}

/** A refund as orders-service keeps it (asked for by a customer) or as payments-service does (any cause). */
export interface RefundRow {
  id: string
  orderId: string
  userId: string
  amountMinor: number
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED'
  /** payments-service only: `requested`, or `cancellation` for a cancelled order's charge. */
  cause?: 'requested' | 'cancellation'
}

export interface PaymentRow {
  orderId: string
  userId: string
  amountMinor: number
  status: 'SUCCESS' | 'FAIL'
  reason: string | null
}

export interface LedgerRow {
  id: number
  userId: string
  kind: 'opening' | 'top_up' | 'charge' | 'refund'
  amountMinor: number
  orderId: string | null
  refundId: string | null
}

export interface OutboxRow {
  topic: string
  eventId: string
  type: string
  published: boolean
}

export interface Snapshot {
  orders: OrderRow[]
  payments: PaymentRow[]
  /** In id order, which per user is the order the balance changed in (the row lock serialises them). */
  ledger: LedgerRow[]
  balances: Map<string, number>
  /** Every outbox row the run wrote, trimmed or not. */
  outbox: { orders: OutboxRow[]; payments: OutboxRow[] }
  /** Message ids each service's consumer recorded, trimmed or not (an id recorded again after its row was trimmed appears twice). */
  inbox: { orders: string[]; payments: string[] }
  deadLetters: { orders: number; payments: number }
  refunds: { orders: RefundRow[]; payments: RefundRow[] }
}

export interface ApiView {
  /** GET /orders of each user: order id to status. */
  orders: Map<string, Map<string, string>>
  /** GET /accounts/balance of each user, in minor units. */
  balances: Map<string, number>
  /** GET /accounts/statement of each user, every page, newest first. */
  statements: Map<string, StatementEntry[]>
  /** Users whose list, balance or statement could not be read. */
  unreadable: string[]
}

export type StatementEntry = Static<typeof StatementEntrySchema>

const OUTBOX_COLUMNS = 'topic, value, published_at IS NOT NULL AS published'

export async function readSnapshot(urls: { orders: string; payments: string }): Promise<Snapshot> {
  const orders = new pg.Client({ connectionString: urls.orders })
  const payments = new pg.Client({ connectionString: urls.payments })
  await Promise.all([orders.connect(), payments.connect()])
  try {
    // One query at a time per connection: node-postgres no longer queues them for us.
    const orderRows = await orders.query(
      `SELECT id, user_id, amount_minor::text AS amount, status, reason, description,
              refunded_minor::text AS refunded FROM orders.orders`,
    )
    const orderRefunds = await orders.query(
      'SELECT id, order_id, user_id, amount_minor::text AS amount, status FROM orders.refunds',
    )
    const ordersOutbox = await orders.query(
      `SELECT ${OUTBOX_COLUMNS} FROM ${await wholeHistory(orders, ARCHIVED_TABLES.ordersOutbox)} AS history`,
    )
    const ordersInbox = await orders.query(
      `SELECT message_id FROM ${await wholeHistory(orders, ARCHIVED_TABLES.ordersInbox)} AS history`,
    )
    const ordersDead = await orders.query('SELECT count(*)::int AS n FROM orders.dead_letters')
    const paymentRows = await payments.query(
      'SELECT order_id, user_id, amount_minor::text AS amount, status, reason FROM payments.payments',
    )
    const ledgerRows = await payments.query(
      // Qualified: the bare name would sort by the text alias, putting "100" before "3".
      'SELECT id::text AS id, user_id, kind, amount_minor::text AS amount, order_id, refund_id FROM payments.ledger_entries ORDER BY ledger_entries.id',
    )
    const paymentRefunds = await payments.query(
      'SELECT id, order_id, user_id, amount_minor::text AS amount, status, cause FROM payments.refunds',
    )
    const accountRows = await payments.query(
      'SELECT user_id, balance_minor::text AS balance FROM payments.accounts',
    )
    const paymentsOutbox = await payments.query(
      `SELECT ${OUTBOX_COLUMNS} FROM ${await wholeHistory(payments, ARCHIVED_TABLES.paymentsOutbox)} AS history`,
    )
    const paymentsInbox = await payments.query(
      `SELECT message_id FROM ${await wholeHistory(payments, ARCHIVED_TABLES.paymentsInbox)} AS history`,
    )
    const paymentsDead = await payments.query('SELECT count(*)::int AS n FROM payments.dead_letters')
    const outboxRow = (row: { topic: string; value: string; published: boolean }): OutboxRow => ({
      topic: row.topic,
      eventId: eventIdOf(row.value),
      type: eventTypeOf(row.value),
      published: row.published,
    })
    const refundRow = (row: Record<string, string>): RefundRow => ({
      id: row.id as string,
      orderId: row.order_id as string,
      userId: row.user_id as string,
      amountMinor: Number(row.amount),
      status: row.status as RefundRow['status'],
      ...(row.cause ? { cause: row.cause as RefundRow['cause'] } : {}),
    })
    return {
      orders: orderRows.rows.map((row) => ({
        id: row.id,
        userId: row.user_id,
        amountMinor: Number(row.amount),
        status: row.status,
        reason: row.reason,
        description: row.description,
        refundedMinor: Number(row.refunded),
      })),
      payments: paymentRows.rows.map((row) => ({
        orderId: row.order_id,
        userId: row.user_id,
        amountMinor: Number(row.amount),
        status: row.status,
        reason: row.reason,
      })),
      ledger: ledgerRows.rows.map((row) => ({
        id: Number(row.id),
        userId: row.user_id,
        kind: row.kind,
        amountMinor: Number(row.amount),
        orderId: row.order_id,
        refundId: row.refund_id,
      })),
      balances: new Map(accountRows.rows.map((row) => [row.user_id, Number(row.balance)])),
      outbox: { orders: ordersOutbox.rows.map(outboxRow), payments: paymentsOutbox.rows.map(outboxRow) },
      inbox: {
        orders: ordersInbox.rows.map((row) => row.message_id),
        payments: paymentsInbox.rows.map((row) => row.message_id),
      },
      deadLetters: { orders: ordersDead.rows[0]?.n ?? 0, payments: paymentsDead.rows[0]?.n ?? 0 },
      refunds: { orders: orderRefunds.rows.map(refundRow), payments: paymentRefunds.rows.map(refundRow) },
    }
  } finally {
    await Promise.allSettled([orders.end(), payments.end()])
  }
}

/** A user's whole statement, page by page as a client walks it; undefined if a page cannot be read. */
async function readStatement(gateway: string, userId: string): Promise<StatementEntry[] | undefined> {
  const entries: StatementEntry[] = []
  let cursor: string | null = null
  for (let page = 0; page < MAX_STATEMENT_PAGES; page++) {
    const query: string = cursor ? `&cursor=${cursor}` : ''
    const answer = await call(gateway, 'GET', `/accounts/statement?limit=${STATEMENT_PAGE}${query}`, userId)
    if (answer.status !== 200) return undefined
    entries.push(...(answer.body.entries as StatementEntry[]))
    cursor = answer.body.next_cursor
    if (!cursor) return entries
  }
  return undefined
}

// Small pages, so the cursors are walked too.
const STATEMENT_PAGE = 50
const MAX_STATEMENT_PAGES = 200

/** Asks the gateway for every user's orders, balance and statement, as the users themselves would. */
export async function readApiView(gateway: string, userIds: string[]): Promise<ApiView> {
  const view: ApiView = { orders: new Map(), balances: new Map(), statements: new Map(), unreadable: [] }
  for (const userId of userIds) {
    const statement = await readStatement(gateway, userId)
    if (statement) view.statements.set(userId, statement)
    else view.unreadable.push(`${userId}: GET /accounts/statement failed`)
    const [list, balance] = await Promise.all([
      call(gateway, 'GET', '/orders?limit=1000', userId),
      call(gateway, 'GET', '/accounts/balance', userId),
    ])
    if (list.status !== 200 || balance.status !== 200 || !Array.isArray(list.body)) {
      view.unreadable.push(`${userId}: GET /orders ${list.status}, GET /accounts/balance ${balance.status}`)
      continue
    }
    view.orders.set(
      userId,
      new Map(list.body.map((order: { id: string; status: string }) => [order.id, order.status])),
    )
    view.balances.set(userId, Math.round(Number(balance.body.balance) * 100))
  }
  return view
}
