/**
 * The shop's public API as every runner calls it: the tests, the benchmark's set-up, the chaos
 * suite's load and checks, soak. Bodies are typed from the contracts' shapes; a call never
 * throws: no answer (connection refused or reset, timeout) is status 0 with the reason.
 */
import { randomUUID } from 'node:crypto'
import type { Account, ChargeResult, Order, Problem, Refund, Statement } from '@shop/contracts'
import type { Static } from 'typebox'

export type AccountBody = Static<typeof Account>
export type OrderBody = Static<typeof Order>
export type ProblemBody = Static<typeof Problem>
export type RefundBody = Static<typeof Refund>
export type StatementBody = Static<typeof Statement>

export interface ShopAnswer<Body> {
  /** 0 when no answer came (connection refused or reset, timeout). */
  status: number
  contentType: string
  headers: Headers | undefined
  /**
   * The answer's JSON (its text when it is not JSON; undefined when there is none): the route's
   * shape on a 2xx, a problem otherwise. Typed as both (the problem's status is the answer's,
   * and an order has a status of its own), to be read after the status is checked.
   */
  body: Body & Partial<Omit<ProblemBody, 'status'>>
  /** Why no answer came. */
  error?: string
}

export interface CallOptions {
  idempotencyKey?: string
  headers?: Record<string, string>
}

const TIMEOUT_MS = 15_000

export type ShopClient = ReturnType<typeof shopClient>

/** A client of the API at `base`: the gateway, or one service directly (its own routes only). */
export function shopClient(base: string, { timeoutMs = TIMEOUT_MS }: { timeoutMs?: number } = {}) {
  async function call<Body = unknown>(
    method: 'GET' | 'POST',
    path: string,
    userId: string | undefined,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<ShopAnswer<Body>> {
    const headers: Record<string, string> = { ...options.headers }
    if (userId !== undefined) headers['x-user-id'] = userId
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey
    if (body !== undefined) headers['content-type'] = 'application/json'
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      return {
        status: response.status,
        contentType: response.headers.get('content-type') ?? '',
        headers: response.headers,
        body: parsed(text) as ShopAnswer<Body>['body'],
      }
    } catch (error) {
      return {
        status: 0,
        contentType: '',
        headers: undefined,
        body: undefined as unknown as ShopAnswer<Body>['body'],
        error: String(error),
      }
    }
  }
  return {
    base,
    newUser: () => randomUUID(),
    openAccount: (userId: string, initialBalance?: number, options?: CallOptions) =>
      call<AccountBody>(
        'POST',
        '/accounts',
        userId,
        initialBalance === undefined ? undefined : { initial_balance: initialBalance },
        options,
      ),
    topUp: (userId: string, amount: number, options?: CallOptions) =>
      call<AccountBody>('POST', '/accounts/topup', userId, { amount }, options),
    balance: (userId: string) => call<AccountBody>('GET', '/accounts/balance', userId),
    /** payments-service's own route, not served by the gateway. */
    charge: (userId: string, orderId: string, amount: number) =>
      call<Static<typeof ChargeResult>>('POST', '/accounts/charge', userId, { order_id: orderId, amount }),
    placeOrder: (userId: string, amount: number, description?: string, options?: CallOptions) =>
      call<OrderBody>(
        'POST',
        '/orders',
        userId,
        description === undefined ? { amount } : { amount, description },
        options,
      ),
    listOrders: (userId: string, limit?: number) =>
      call<OrderBody[]>('GET', limit === undefined ? '/orders' : `/orders?limit=${limit}`, userId),
    getOrder: (userId: string, orderId: string) => call<OrderBody>('GET', `/orders/${orderId}`, userId),
    cancelOrder: (userId: string, orderId: string, options?: CallOptions) =>
      call<OrderBody>('POST', `/orders/${orderId}/cancel`, userId, {}, options),
    /** Without an amount, all of the order that is left. */
    refund: (userId: string, orderId: string, amount?: number, options?: CallOptions) =>
      call<RefundBody>(
        'POST',
        `/orders/${orderId}/refunds`,
        userId,
        amount === undefined ? {} : { amount },
        options,
      ),
    refunds: (userId: string, orderId: string) =>
      call<RefundBody[]>('GET', `/orders/${orderId}/refunds`, userId),
    /** One page of the statement, newest first; `cursor` is the `next_cursor` of the page before. */
    statement: (userId: string, query: { limit?: number; cursor?: string } = {}) =>
      call<StatementBody>('GET', `/accounts/statement${statementQuery(query)}`, userId),
    call,
  }
}

const statementQuery = ({ limit, cursor }: { limit?: number; cursor?: string }) => {
  const parts = [
    ...(limit === undefined ? [] : [`limit=${limit}`]),
    ...(cursor === undefined ? [] : [`cursor=${cursor}`]),
  ]
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

function parsed(text: string): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
