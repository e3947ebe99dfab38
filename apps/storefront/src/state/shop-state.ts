import { formatAmount } from '../domain/money.ts'
import { type Order, reasonInWords, type StatusPush } from '../domain/order.ts'
import { mergeOrders, unclaimedPushes, withPushedStatus } from './merge-orders.ts'

export type AccountState =
  | { kind: 'loading' }
  | { kind: 'missing' }
  | { kind: 'open'; balance: number }
  /** The balance could not be read (the error says why). */
  | { kind: 'unknown' }

/** The live socket: not yet open, open, or closed and waiting to retry. */
export type Connection = 'connecting' | 'live' | 'reconnecting'

/** Where an error came from, so that the part of the page the person was using shows it. */
export type ErrorSource = 'load' | 'account' | 'topup' | 'order' | 'identity'

export interface Notice {
  /** Grows with each notice, so the same text said twice is still announced twice. */
  id: number
  text: string
}

export interface ShopState {
  userId: string
  account: AccountState
  /** Newest first. */
  orders: Order[]
  ordersLoaded: boolean
  /** The order placed last on this page: the form shows how it is doing, where the visitor looks. */
  lastPlacedId: string | undefined
  /** Statuses pushed for orders not known yet (a push can beat the answer to POST /orders). */
  earlyPushes: Record<string, StatusPush>
  connection: Connection
  error: (Notice & { source: ErrorSource }) | undefined
  /** The latest thing worth saying to a screen reader: a status change, a completed action. */
  announcement: Notice | undefined
  lastNoticeId: number
}

/** What happened; every answer from the API names the user it was for. */
export type ShopAction =
  | { type: 'identity_changed'; userId: string }
  | { type: 'balance_read'; userId: string; balance: number }
  | { type: 'account_missing'; userId: string }
  | { type: 'account_opened'; userId: string; balance: number }
  | { type: 'topped_up'; userId: string; balance: number }
  | { type: 'orders_read'; userId: string; orders: Order[] }
  | { type: 'order_placed'; userId: string; order: Order }
  /** An answer that carries an order as it now is, such as its cancellation. */
  | { type: 'order_changed'; userId: string; order: Order }
  | { type: 'status_pushed'; userId: string; push: StatusPush }
  | { type: 'connection_changed'; userId: string; connection: Connection }
  | { type: 'failed'; userId: string; source: ErrorSource; text: string }
  | { type: 'error_dismissed' }

export function initialState(userId: string): ShopState {
  return {
    userId,
    account: { kind: 'loading' },
    orders: [],
    ordersLoaded: false,
    lastPlacedId: undefined,
    earlyPushes: {},
    connection: 'connecting',
    error: undefined,
    announcement: undefined,
    lastNoticeId: 0,
  }
}

const describe = (order: Order) =>
  order.description ? `“${order.description}” (${formatAmount(order.amount)})` : formatAmount(order.amount)

function statusSentence(order: Order): string {
  if (order.status === 'FINISHED') return `Order ${describe(order)} is paid: FINISHED.`
  if (order.status === 'CANCELLED')
    return `Order ${describe(order)} was CANCELLED: ${reasonInWords(order.reason ?? 'unknown')}.`
  if (order.status === 'REFUNDED') return `Order ${describe(order)} is wholly refunded: REFUNDED.`
  return `Order ${describe(order)} is NEW.`
}

const announce = (state: ShopState, text: string): ShopState => ({
  ...state,
  announcement: { id: state.lastNoticeId + 1, text },
  lastNoticeId: state.lastNoticeId + 1,
})

/** A success clears the error of the same part of the page: it has been dealt with. */
const clearErrorOf = (state: ShopState, ...sources: ErrorSource[]): ShopState =>
  state.error && sources.includes(state.error.source) ? { ...state, error: undefined } : state

/**
 * The page's state after an action: pure, so that every race (a push before the order, a list
 * read that is older than a push, an answer for the user id the visitor just left) is decided
 * here and tested without a browser.
 */
export function shopReducer(state: ShopState, action: ShopAction): ShopState {
  if (action.type === 'identity_changed') {
    return action.userId === state.userId
      ? state
      : { ...initialState(action.userId), lastNoticeId: state.lastNoticeId }
  }
  if (action.type === 'error_dismissed') return { ...state, error: undefined }
  // An answer for the user id the visitor has since left is no longer theirs to see.
  if (action.userId !== state.userId) return state

  switch (action.type) {
    case 'balance_read':
      return { ...clearErrorOf(state, 'load'), account: { kind: 'open', balance: action.balance } }
    case 'account_missing':
      return { ...state, account: { kind: 'missing' } }
    case 'account_opened':
      return announce(
        { ...clearErrorOf(state, 'account'), account: { kind: 'open', balance: action.balance } },
        `Account opened. Balance ${formatAmount(action.balance)}.`,
      )
    case 'topped_up':
      return announce(
        { ...clearErrorOf(state, 'topup', 'account'), account: { kind: 'open', balance: action.balance } },
        `Topped up. Balance ${formatAmount(action.balance)}.`,
      )
    case 'orders_read': {
      const orders = mergeOrders(state.orders, action.orders, state.earlyPushes)
      return {
        ...clearErrorOf(state, 'load'),
        orders,
        ordersLoaded: true,
        earlyPushes: unclaimedPushes(state.earlyPushes, orders),
      }
    }
    case 'order_placed': {
      const orders = mergeOrders(state.orders, [action.order], state.earlyPushes)
      const placed = orders.find((order) => order.id === action.order.id) ?? action.order
      return announce(
        {
          ...clearErrorOf(state, 'order'),
          orders,
          lastPlacedId: placed.id,
          earlyPushes: unclaimedPushes(state.earlyPushes, orders),
        },
        `Order placed. ${statusSentence(placed)}`,
      )
    }
    case 'order_changed': {
      const orders = mergeOrders(state.orders, [action.order], state.earlyPushes)
      const changed = orders.find((order) => order.id === action.order.id) ?? action.order
      return announce({ ...clearErrorOf(state, 'order'), orders }, statusSentence(changed))
    }
    case 'status_pushed': {
      const { push } = action
      const known = state.orders.find((order) => order.id === push.order_id)
      if (!known) return { ...state, earlyPushes: { ...state.earlyPushes, [push.order_id]: push } }
      const updated = withPushedStatus(known, push)
      if (updated === known || updated.status === known.status) return state
      const orders = state.orders.map((order) => (order.id === push.order_id ? updated : order))
      return announce({ ...state, orders }, statusSentence(updated))
    }
    case 'connection_changed':
      return action.connection === state.connection ? state : { ...state, connection: action.connection }
    case 'failed':
      return {
        ...state,
        error: { id: state.lastNoticeId + 1, source: action.source, text: action.text },
        lastNoticeId: state.lastNoticeId + 1,
        ...(action.source === 'load' && state.account.kind === 'loading'
          ? { account: { kind: 'unknown' } }
          : {}),
      }
  }
}

/** The order placed last on this page, as it stands now. */
export const lastPlacedOrder = (state: ShopState): Order | undefined =>
  state.lastPlacedId === undefined ? undefined : state.orders.find((order) => order.id === state.lastPlacedId)
