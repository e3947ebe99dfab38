import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { waitUntilFinal } from '../../scripts/lib/settle-waiter.ts'
import { fuzzSettings, type ShopUnderTest } from './support/shop-under-test.ts'

const RUNS = 25

const cents = (min: number, max: number) => fc.integer({ min, max }).map((value) => value / 100)

/** One pair of users: what A owns, what B has, and how B goes after A's order. */
const pairs = fc.record({
  balanceOfA: cents(1, 100_000),
  orderOfA: cents(1, 120_000),
  accountOfB: fc.constantFrom('none', 'empty', 'rich'),
  // Before A's order is paid, B's charge races the payment; after, it finds the payment.
  bWaitsForPayment: fc.boolean(),
  idAsB: fc.constantFrom('as is', 'upper case'),
})

/** Isolation between users, as a property over random pairs of them. */
export function describeUserIsolation(shop: () => ShopUnderTest): void {
  describe('two users of the running shop', () => {
    it('when B goes after A’s order and pays into an account, then B never sees A’s order and A’s money moves only for A’s own payment', async () => {
      const { api, state } = shop()
      await fc.assert(
        fc.asyncProperty(pairs, async ({ balanceOfA, orderOfA, accountOfB, bWaitsForPayment, idAsB }) => {
          const [a, b] = [randomUUID(), randomUUID()]
          expect((await api.openAccount(a, balanceOfA)).status).toBe(201)
          if (accountOfB !== 'none') await api.openAccount(b, accountOfB === 'rich' ? 1_000_000 : 0)
          const placed = await api.placeOrder(a, orderOfA, 'A’s order')
          expect(placed.status).toBe(201)
          const order = placed.body.id as string
          const waitForPayment = () => waitUntilFinal(api, a, order)
          if (bWaitsForPayment) await waitForPayment()
          const orderAsB = idAsB === 'upper case' ? order.toUpperCase() : order

          const read = await api.getOrder(b, orderAsB)
          const list = await api.listOrders(b, 1000)
          const charge = await api.charge(b, orderAsB, orderOfA)
          const topUp = await api.topUp(b, 1)
          const balanceOfB = await api.balance(b)

          expect(read).toMatchObject({ status: 404, body: { code: 'order_not_found' } })
          expect(list.status).toBe(200)
          expect(list.body.map((item) => item.id)).not.toContain(order)
          expect(list.body.every((item) => item.user_id === b)).toBe(true)
          expect(charge.status === 200 || (charge.status >= 400 && charge.status < 500)).toBe(true)
          for (const mine of [topUp, balanceOfB]) if (mine.status === 200) expect(mine.body.user_id).toBe(b)

          // Whatever B did, A pays for A's order at most once, and only if A's own payment went through.
          const settled = (await waitForPayment()).body
          const paidByA = settled.status === 'FINISHED'
          expect(await state.balanceOf(a)).toBe(
            String(Math.round((balanceOfA - (paidByA ? orderOfA : 0)) * 100)),
          )
          if (!paidByA) {
            const reasons = ['insufficient_funds', 'payment_conflict']
            expect(reasons).toContain(settled.reason)
          }
          expect((await api.getOrder(a, order)).body).toMatchObject({ id: order, user_id: a })
        }),
        fuzzSettings(RUNS),
      )
    }, 120_000)
  })
}
