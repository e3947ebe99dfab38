import type { Order, Refund } from '../domain/order.ts'
import { NETWORK_ERROR_TEXT, type ProblemBody, problemText } from './problem-text.ts'

export type ApiResult<T> =
  | { ok: true; value: T }
  /** `code` is the problem's code, or `network_error` when no answer came. */
  | { ok: false; status: number; code: string; text: string }

export interface Balance {
  user_id: string
  balance: number
}

export interface StatementEntry {
  id: string
  kind: 'opening' | 'topup' | 'charge' | 'refund'
  amount: number
  balance_after: number
  order_id?: string
  refund_id?: string
  created_at: string
}

export interface Statement {
  entries: StatementEntry[]
  next_cursor: string | null
}

export interface ShopApi {
  readBalance(userId: string): Promise<ApiResult<Balance>>
  openAccount(userId: string, idempotencyKey: string): Promise<ApiResult<Balance>>
  topUp(userId: string, amount: number, idempotencyKey: string): Promise<ApiResult<Balance>>
  listOrders(userId: string): Promise<ApiResult<Order[]>>
  placeOrder(
    userId: string,
    order: { amount: number; description?: string },
    idempotencyKey: string,
  ): Promise<ApiResult<Order>>
  cancelOrder(userId: string, orderId: string, idempotencyKey: string): Promise<ApiResult<Order>>
  /** Without an amount, all of the order that is left. */
  requestRefund(
    userId: string,
    orderId: string,
    amount: number | undefined,
    idempotencyKey: string,
  ): Promise<ApiResult<Refund>>
  listRefunds(userId: string, orderId: string): Promise<ApiResult<Refund[]>>
  readStatement(userId: string, cursor?: string): Promise<ApiResult<Statement>>
  /** The whole statement as CSV text, for a download. */
  statementCsv(userId: string): Promise<ApiResult<string>>
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>

/** The headers that say who calls: X-User-Id in header mode, a bearer token in oidc mode. */
export type Credentials = (userId: string) => Record<string, string>

const asUserId: Credentials = (userId) => ({ 'x-user-id': userId })

/**
 * The shop's public API as the page uses it, on the page's own origin. Every call says who calls
 * (`credentials`: X-User-Id unless told otherwise); every POST carries an Idempotency-Key, so that sending the same form again after a
 * lost answer does not open, top up or order twice. Errors come back as sentences.
 */
export function createShopApi(fetchFn: Fetch, base = '', credentials: Credentials = asUserId): ShopApi {
  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    userId: string,
    options: { body?: unknown; idempotencyKey?: string; accept?: string } = {},
  ): Promise<ApiResult<T>> {
    const accept = options.accept ?? 'application/json'
    const headers: Record<string, string> = { ...credentials(userId), accept }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey
    let response: Response
    try {
      response = await fetchFn(`${base}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      })
    } catch {
      return { ok: false, status: 0, code: 'network_error', text: NETWORK_ERROR_TEXT }
    }
    if (response.ok && accept !== 'application/json') return { ok: true, value: (await response.text()) as T }
    const body = await response.json().catch(() => undefined)
    if (response.ok) return { ok: true, value: body as T }
    const problem = body as ProblemBody | undefined
    return {
      ok: false,
      status: response.status,
      code: typeof problem?.code === 'string' ? problem.code : `http_${response.status}`,
      text: problemText(response.status, problem),
    }
  }

  return {
    readBalance: (userId) => call('GET', '/accounts/balance', userId),
    openAccount: (userId, idempotencyKey) => call('POST', '/accounts', userId, { idempotencyKey }),
    topUp: (userId, amount, idempotencyKey) =>
      call('POST', '/accounts/topup', userId, { body: { amount }, idempotencyKey }),
    listOrders: (userId) => call('GET', '/orders', userId),
    placeOrder: (userId, order, idempotencyKey) =>
      call('POST', '/orders', userId, { body: order, idempotencyKey }),
    cancelOrder: (userId, orderId, idempotencyKey) =>
      call('POST', `/orders/${orderId}/cancel`, userId, { idempotencyKey }),
    requestRefund: (userId, orderId, amount, idempotencyKey) =>
      call('POST', `/orders/${orderId}/refunds`, userId, {
        body: amount === undefined ? {} : { amount },
        idempotencyKey,
      }),
    listRefunds: (userId, orderId) => call('GET', `/orders/${orderId}/refunds`, userId),
    readStatement: (userId, cursor) =>
      call('GET', `/accounts/statement${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, userId),
    statementCsv: (userId) => call('GET', '/accounts/statement?limit=1000', userId, { accept: 'text/csv' }),
  }
}
