import { describe, expect, it } from 'vitest'
import {
  initialState,
  lastPlacedOrder,
  type ShopAction,
  type ShopState,
  shopReducer,
} from '../src/state/shop-state.ts'
import { anOrder, OTHER_USER, pushFor, USER } from './orders.fixture.ts'

const run = (actions: ShopAction[], state: ShopState = initialState(USER)) =>
  actions.reduce(shopReducer, state)

describe('the storefront state', () => {
  it('when the page starts, then it is reading the account and the orders, not yet live', () => {
    expect(initialState(USER)).toMatchObject({
      userId: USER,
      account: { kind: 'loading' },
      orders: [],
      ordersLoaded: false,
      connection: 'connecting',
      error: undefined,
    })
  })

  describe('account', () => {
    it('when the balance is read, then the account is open with it', () => {
      expect(run([{ type: 'balance_read', userId: USER, balance: 12.5 }]).account).toEqual({
        kind: 'open',
        balance: 12.5,
      })
    })

    it('when the user has no account, then the page offers to open one', () => {
      expect(run([{ type: 'account_missing', userId: USER }]).account).toEqual({ kind: 'missing' })
    })

    it('when an account is opened or topped up, then the new balance shows and is announced', () => {
      const opened = run([{ type: 'account_opened', userId: USER, balance: 0 }])
      expect(opened.account).toEqual({ kind: 'open', balance: 0 })
      expect(opened.announcement?.text).toBe('Account opened. Balance 0.00.')

      const toppedUp = run([{ type: 'topped_up', userId: USER, balance: 1250 }], opened)
      expect(toppedUp.account).toEqual({ kind: 'open', balance: 1250 })
      expect(toppedUp.announcement?.text).toBe('Topped up. Balance 1,250.00.')
      expect(toppedUp.announcement?.id).toBeGreaterThan(opened.announcement?.id ?? 0)
    })

    it('when reading fails before anything was read, then the account is unknown and the error shown', () => {
      const state = run([{ type: 'failed', userId: USER, source: 'load', text: 'Cannot reach the shop.' }])
      expect(state.account).toEqual({ kind: 'unknown' })
      expect(state.error).toMatchObject({ source: 'load', text: 'Cannot reach the shop.' })
    })
  })

  describe('errors', () => {
    it('when an action of one part fails, then the error belongs to that part until it succeeds', () => {
      const failed = run([{ type: 'failed', userId: USER, source: 'topup', text: 'Too much.' }])
      expect(failed.error).toMatchObject({ source: 'topup', text: 'Too much.' })
      // Another part's success leaves it; the same part's success clears it.
      expect(run([{ type: 'order_placed', userId: USER, order: anOrder() }], failed).error?.source).toBe(
        'topup',
      )
      expect(run([{ type: 'topped_up', userId: USER, balance: 5 }], failed).error).toBeUndefined()
    })

    it('when opening failed because the account exists, then a top-up (the account works) clears that error', () => {
      const failed = run([{ type: 'failed', userId: USER, source: 'account', text: 'Exists.' }])
      expect(run([{ type: 'topped_up', userId: USER, balance: 5 }], failed).error).toBeUndefined()
    })

    it('when the same error happens twice, then it is a new notice each time (and said again)', () => {
      const once = run([{ type: 'failed', userId: USER, source: 'order', text: 'No.' }])
      const twice = run([{ type: 'failed', userId: USER, source: 'order', text: 'No.' }], once)
      expect(twice.error?.id).not.toBe(once.error?.id)
    })

    it('when an error is dismissed, then it is gone', () => {
      const failed = run([{ type: 'failed', userId: USER, source: 'load', text: 'No.' }])
      expect(run([{ type: 'error_dismissed' }], failed).error).toBeUndefined()
    })
  })

  describe('orders and live statuses', () => {
    it('when orders are read, then they are listed newest first', () => {
      const [older, newer] = [anOrder(), anOrder()]
      const state = run([{ type: 'orders_read', userId: USER, orders: [older, newer] as never }])
      expect(state.ordersLoaded).toBe(true)
      expect(state.orders.map((order) => order.id)).toEqual([newer?.id, older?.id])
    })

    it('when a status is pushed for a NEW order, then it changes in place and is announced', () => {
      const order = anOrder({ description: 'a kettle', amount: 150 })
      const state = run([
        { type: 'orders_read', userId: USER, orders: [order] },
        { type: 'status_pushed', userId: USER, push: pushFor(order, 'FINISHED') },
      ])
      expect(state.orders[0]).toMatchObject({ id: order.id, status: 'FINISHED' })
      expect(state.announcement?.text).toBe('Order “a kettle” (150.00) is paid: FINISHED.')
    })

    it('when a cancellation is pushed, then the order shows the reason, in words when announced', () => {
      const order = anOrder({ description: null, amount: 1000 })
      const state = run([
        { type: 'order_placed', userId: USER, order },
        { type: 'status_pushed', userId: USER, push: pushFor(order, 'CANCELLED', 'insufficient_funds') },
      ])
      expect(state.orders[0]).toMatchObject({ status: 'CANCELLED', reason: 'insufficient_funds' })
      expect(state.announcement?.text).toBe('Order 1,000.00 was CANCELLED: not enough money in the account.')
    })

    it('when a list read older than a push arrives after it, then the final status stays', () => {
      const order = anOrder()
      const state = run([
        { type: 'order_placed', userId: USER, order },
        { type: 'status_pushed', userId: USER, push: pushFor(order, 'FINISHED') },
        { type: 'orders_read', userId: USER, orders: [order] },
      ])
      expect(state.orders).toHaveLength(1)
      expect(state.orders[0]?.status).toBe('FINISHED')
    })

    it('when a push arrives before the order it is about, then it is applied as the order arrives', () => {
      const order = anOrder()
      const pushedFirst = run([
        { type: 'status_pushed', userId: USER, push: pushFor(order, 'CANCELLED', 'account_not_found') },
      ])
      expect(pushedFirst.orders).toEqual([])
      expect(Object.keys(pushedFirst.earlyPushes)).toEqual([order.id])

      const placed = run([{ type: 'order_placed', userId: USER, order }], pushedFirst)
      expect(placed.orders[0]).toMatchObject({ status: 'CANCELLED', reason: 'account_not_found' })
      expect(placed.earlyPushes).toEqual({})
      expect(placed.announcement?.text).toMatch(/^Order placed\. Order .* was CANCELLED/)
    })

    it('when an early push’s order comes with a list read, then it is applied too', () => {
      const order = anOrder()
      const state = run([
        { type: 'status_pushed', userId: USER, push: pushFor(order, 'FINISHED') },
        { type: 'orders_read', userId: USER, orders: [order] },
      ])
      expect(state.orders[0]?.status).toBe('FINISHED')
      expect(state.earlyPushes).toEqual({})
    })

    it('when the same push comes twice, or a push contradicts a final status, then nothing changes', () => {
      const order = anOrder()
      const finished = run([
        { type: 'order_placed', userId: USER, order },
        { type: 'status_pushed', userId: USER, push: pushFor(order, 'FINISHED') },
      ])
      expect(
        shopReducer(finished, { type: 'status_pushed', userId: USER, push: pushFor(order, 'FINISHED') }),
      ).toBe(finished)
      const contradicted = shopReducer(finished, {
        type: 'status_pushed',
        userId: USER,
        push: pushFor(order, 'CANCELLED', 'insufficient_funds'),
      })
      expect(contradicted).toBe(finished)
    })

    it('when orders are placed, then the last one placed is the one the form follows, status and all', () => {
      const [first, second] = [anOrder(), anOrder()]
      const state = run([
        { type: 'order_placed', userId: USER, order: first },
        { type: 'order_placed', userId: USER, order: second },
        { type: 'status_pushed', userId: USER, push: pushFor(second, 'FINISHED') },
      ])
      expect(lastPlacedOrder(state)).toMatchObject({ id: second.id, status: 'FINISHED' })
      expect(lastPlacedOrder(initialState(USER))).toBeUndefined()
    })

    it('when an order was placed while a list read was under way, then the read does not drop it', () => {
      const [listed, placedMeanwhile] = [anOrder(), anOrder()]
      const state = run([
        { type: 'order_placed', userId: USER, order: placedMeanwhile },
        { type: 'orders_read', userId: USER, orders: [listed] },
      ])
      expect(state.orders.map((order) => order.id)).toEqual([placedMeanwhile.id, listed.id])
    })
  })

  describe('identity', () => {
    it('when the user id changes, then everything of the previous user is forgotten', () => {
      const order = anOrder()
      const before = run([
        { type: 'balance_read', userId: USER, balance: 5 },
        { type: 'orders_read', userId: USER, orders: [order] },
        { type: 'connection_changed', userId: USER, connection: 'live' },
      ])

      const after = shopReducer(before, { type: 'identity_changed', userId: OTHER_USER })

      expect(after).toMatchObject({
        userId: OTHER_USER,
        account: { kind: 'loading' },
        orders: [],
        ordersLoaded: false,
        connection: 'connecting',
      })
    })

    it('when an answer for the previous user id arrives after switching, then it is ignored', () => {
      const switched = run([{ type: 'identity_changed', userId: OTHER_USER }])
      for (const late of [
        { type: 'balance_read', userId: USER, balance: 5 },
        { type: 'orders_read', userId: USER, orders: [anOrder()] },
        { type: 'status_pushed', userId: USER, push: pushFor(anOrder(), 'FINISHED') },
        { type: 'failed', userId: USER, source: 'load', text: 'No.' },
        { type: 'connection_changed', userId: USER, connection: 'live' },
      ] satisfies ShopAction[]) {
        expect(shopReducer(switched, late), late.type).toBe(switched)
      }
    })

    it('when the same user id is chosen again, then nothing is reset', () => {
      const state = run([{ type: 'balance_read', userId: USER, balance: 5 }])
      expect(shopReducer(state, { type: 'identity_changed', userId: USER })).toBe(state)
    })
  })

  it('when the live connection changes, then the state says so, and only then changes', () => {
    const live = run([{ type: 'connection_changed', userId: USER, connection: 'live' }])
    expect(live.connection).toBe('live')
    expect(shopReducer(live, { type: 'connection_changed', userId: USER, connection: 'live' })).toBe(live)
    expect(
      run([{ type: 'connection_changed', userId: USER, connection: 'reconnecting' }], live).connection,
    ).toBe('reconnecting')
  })

  describe('cancellations and refunds', () => {
    it('when an order comes back cancelled by its owner, then it is CANCELLED and the change is said in words', () => {
      const order = anOrder()
      const state = run([
        { type: 'orders_read', userId: USER, orders: [order] },
        {
          type: 'order_changed',
          userId: USER,
          order: { ...order, status: 'CANCELLED', reason: 'cancelled_by_customer' },
        },
      ])

      expect(state.orders[0]).toMatchObject({ status: 'CANCELLED', reason: 'cancelled_by_customer' })
      expect(state.announcement?.text).toMatch(/CANCELLED: you cancelled it/)
    })

    it('when a paid order is pushed REFUNDED, then it shows REFUNDED and says so', () => {
      const order = anOrder({ status: 'FINISHED' })
      const state = run([
        { type: 'orders_read', userId: USER, orders: [order] },
        { type: 'status_pushed', userId: USER, push: pushFor(order, 'REFUNDED') },
      ])

      expect(state.orders[0]?.status).toBe('REFUNDED')
      expect(state.announcement?.text).toMatch(/REFUNDED/)
    })

    it('when a cancellation answers for a user id the visitor left, then nothing changes', () => {
      const order = anOrder()
      const before = run([{ type: 'orders_read', userId: USER, orders: [order] }])

      expect(
        shopReducer(before, {
          type: 'order_changed',
          userId: OTHER_USER,
          order: { ...order, status: 'CANCELLED' },
        }),
      ).toBe(before)
    })
  })
})
