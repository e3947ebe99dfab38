import { ErrorCatalogue } from '@shop/contracts/browser'
import { useCallback, useEffect, useReducer, useRef } from 'preact/hooks'
import type { ShopApi } from '../api/shop-api.ts'
import { type KeyValueStore, loadUserId, saveUserId } from '../identity/identity-store.ts'
import { connectLiveStatus } from '../live/live-status.ts'
import { initialState, type ShopState, shopReducer } from '../state/shop-state.ts'
import type { RefundActions } from './RefundPanel.tsx'
import type { StatementActions } from './StatementPanel.tsx'

export interface ShopDeps {
  api: ShopApi
  store: KeyValueStore | undefined
  newUserId(): string
  liveUrl(userId: string): string | (() => Promise<string>)
  /** Who the visitor is when the identity provider says so (oidc mode): then no id is kept or made. */
  signedInAs?: string
}

export interface ShopController extends Omit<RefundActions, 'newKey'>, StatementActions {
  state: ShopState
  switchUser(userId: string): void
  /** Each resolves true when the API accepted it, so that the form can clear itself. */
  openAccount(idempotencyKey: string): Promise<boolean>
  topUp(amount: number, idempotencyKey: string): Promise<boolean>
  placeOrder(order: { amount: number; description?: string }, idempotencyKey: string): Promise<boolean>
  cancelOrder(orderId: string): Promise<boolean>
  retryLoad(): void
  dismissError(): void
}

/**
 * Connects the state to the world: the API for reads and actions, the live socket for status
 * pushes, localStorage for the user id. Each user id gets its own socket and reads; answers for a
 * user id the visitor has left are dropped by the reducer.
 */
export function useShop({ api, store, newUserId, liveUrl, signedInAs }: ShopDeps): ShopController {
  const [state, dispatch] = useReducer(shopReducer, undefined, () =>
    initialState(signedInAs ?? loadUserId(store, newUserId)),
  )
  const latest = useRef(state)
  latest.current = state
  const { userId } = state

  const readBalance = useCallback(
    async (id: string) => {
      const result = await api.readBalance(id)
      if (result.ok) dispatch({ type: 'balance_read', userId: id, balance: result.value.balance })
      else if (result.code === ErrorCatalogue.accountNotFound.code)
        dispatch({ type: 'account_missing', userId: id })
      else dispatch({ type: 'failed', userId: id, source: 'load', text: result.text })
    },
    [api],
  )

  const readOrders = useCallback(
    async (id: string) => {
      const result = await api.listOrders(id)
      if (result.ok) dispatch({ type: 'orders_read', userId: id, orders: result.value })
      else dispatch({ type: 'failed', userId: id, source: 'load', text: result.text })
    },
    [api],
  )

  useEffect(() => {
    // Read at once for a quick first paint; the socket's open reads again, and only that read is
    // sure to see every change the socket did not push.
    void readBalance(userId)
    void readOrders(userId)
    const live = connectLiveStatus({
      url: liveUrl(userId),
      onConnection: (connection) => dispatch({ type: 'connection_changed', userId, connection }),
      onOpen: () => {
        void readOrders(userId)
        void readBalance(userId)
      },
      onPush: (push) => {
        const known = latest.current.orders.find((order) => order.id === push.order_id)
        dispatch({ type: 'status_pushed', userId, push })
        // A paid order changed the balance; an order this page never saw was placed elsewhere. A
        // push for an order that was paid already says one of its refunds settled: the balance and
        // the refunded amount changed.
        const refundSettled = known?.status === 'FINISHED' || known?.status === 'REFUNDED'
        if (push.status === 'FINISHED' || refundSettled) void readBalance(userId)
        if (!known || refundSettled) void readOrders(userId)
      },
    })
    const online = () => live.retryNow()
    window.addEventListener('online', online)
    return () => {
      window.removeEventListener('online', online)
      live.close()
    }
  }, [userId, liveUrl, readBalance, readOrders])

  return {
    state,
    switchUser(next) {
      saveUserId(store, next)
      dispatch({ type: 'identity_changed', userId: next })
    },
    async openAccount(idempotencyKey) {
      const result = await api.openAccount(userId, idempotencyKey)
      if (result.ok) {
        dispatch({ type: 'account_opened', userId, balance: result.value.balance })
        return true
      }
      dispatch({ type: 'failed', userId, source: 'account', text: result.text })
      // Opened meanwhile (in another tab, say): show the account that exists.
      if (result.code === ErrorCatalogue.accountExists.code) void readBalance(userId)
      return false
    },
    async topUp(amount, idempotencyKey) {
      const result = await api.topUp(userId, amount, idempotencyKey)
      if (result.ok) dispatch({ type: 'topped_up', userId, balance: result.value.balance })
      else dispatch({ type: 'failed', userId, source: 'topup', text: result.text })
      return result.ok
    },
    async placeOrder(order, idempotencyKey) {
      const result = await api.placeOrder(userId, order, idempotencyKey)
      if (result.ok) dispatch({ type: 'order_placed', userId, order: result.value })
      else dispatch({ type: 'failed', userId, source: 'order', text: result.text })
      return result.ok
    },
    async cancelOrder(orderId) {
      // One key per click is enough: cancelling twice is harmless, it answers the same order.
      const result = await api.cancelOrder(userId, orderId, newUserId())
      if (result.ok) {
        dispatch({ type: 'order_changed', userId, order: result.value })
        void readBalance(userId)
      } else dispatch({ type: 'failed', userId, source: 'order', text: result.text })
      return result.ok
    },
    async requestRefund(orderId, amount, idempotencyKey) {
      return api.requestRefund(userId, orderId, amount, idempotencyKey)
    },
    listRefunds: (orderId) => api.listRefunds(userId, orderId),
    readStatement: (cursor) => api.readStatement(userId, cursor),
    statementCsv: () => api.statementCsv(userId),
    retryLoad() {
      void readBalance(userId)
      void readOrders(userId)
    },
    dismissError: () => dispatch({ type: 'error_dismissed' }),
  }
}
