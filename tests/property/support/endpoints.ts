import { AccountRoutes, OrderRoutes } from '@shop/contracts'
import type { TSchema } from 'typebox'

/** One public endpoint: how to call it, which body fields it knows, and what its success looks like. */
export interface Endpoint {
  name: string
  method: 'GET' | 'POST'
  /** The canonical path; `orderId` fills the path parameter of GET /orders/{id} (and its refunds). */
  path(orderId: string): string
  /** The body's fields, as the contract names them; empty for a GET. */
  fields: string[]
  /** The query parameters the route takes; any other is refused. */
  query: string[]
  successStatus: number
  success: TSchema
}

export const ENDPOINTS: Endpoint[] = [
  {
    name: 'POST /accounts',
    method: 'POST',
    path: () => '/accounts',
    fields: ['initial_balance'],
    query: [],
    successStatus: 201,
    success: AccountRoutes.openAccount.schema.response[201],
  },
  {
    name: 'POST /accounts/topup',
    method: 'POST',
    path: () => '/accounts/topup',
    fields: ['amount'],
    query: [],
    successStatus: 200,
    success: AccountRoutes.topUp.schema.response[200],
  },
  {
    name: 'GET /accounts/balance',
    method: 'GET',
    path: () => '/accounts/balance',
    fields: [],
    query: [],
    successStatus: 200,
    success: AccountRoutes.getBalance.schema.response[200],
  },
  {
    name: 'POST /accounts/charge',
    method: 'POST',
    path: () => '/accounts/charge',
    fields: ['order_id', 'amount'],
    query: [],
    successStatus: 200,
    success: AccountRoutes.charge.schema.response[200],
  },
  {
    name: 'POST /orders',
    method: 'POST',
    path: () => '/orders',
    fields: ['amount', 'description'],
    query: [],
    successStatus: 201,
    success: OrderRoutes.placeOrder.schema.response[201],
  },
  {
    name: 'GET /orders',
    method: 'GET',
    path: () => '/orders',
    fields: [],
    query: ['limit'],
    successStatus: 200,
    success: OrderRoutes.listOrders.schema.response[200],
  },
  {
    name: 'GET /orders/{id}',
    method: 'GET',
    path: (orderId) => `/orders/${orderId}`,
    fields: [],
    query: [],
    successStatus: 200,
    success: OrderRoutes.getOrder.schema.response[200],
  },
  {
    name: 'GET /orders/{id}/refunds',
    method: 'GET',
    path: (orderId) => `/orders/${orderId}/refunds`,
    fields: [],
    query: [],
    successStatus: 200,
    success: OrderRoutes.listRefunds.schema.response[200],
  },
  {
    name: 'GET /accounts/statement',
    method: 'GET',
    path: () => '/accounts/statement',
    fields: [],
    query: ['limit', 'cursor', 'format'],
    successStatus: 200,
    success: AccountRoutes.getStatement.schema.response[200],
  },
]

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The endpoint a request that was answered 2xx must have reached, judged from what was sent:
 * the gateway routes by method and decoded path. A HEAD is its GET without a body.
 */
export function endpointOf(method: string, path: string): Endpoint | undefined {
  const asMethod = method === 'HEAD' ? 'GET' : method
  const segments = (path.split(/[?#;]/)[0] ?? '').split('/').map(decode)
  const pathname = segments.join('/')
  return ENDPOINTS.find((endpoint) => {
    if (endpoint.method !== asMethod) return false
    if (endpoint.name === 'GET /orders/{id}') return segments.length === 3 && segments[1] === 'orders'
    if (endpoint.name === 'GET /orders/{id}/refunds')
      return segments.length === 4 && segments[1] === 'orders' && segments[3] === 'refunds'
    return endpoint.path('') === pathname
  })
}
