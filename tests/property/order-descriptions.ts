import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendRaw } from './support/raw-http.ts'
import { fuzzSettings, type ShopUnderTest } from './support/shop-under-test.ts'

const RUNS = 60

/** Any text of at most 500 code points that PostgreSQL can hold: every Unicode scalar value but NUL. */
const description = fc.string({ unit: 'binary', maxLength: 500 }).filter((text) => !text.includes('\u0000'))

/** An order's description kept as sent, as a property over any text the contract accepts. */
export function describeOrderDescriptions(shop: () => ShopUnderTest): void {
  describe('an order’s description', () => {
    let target: ShopUnderTest
    let orders: pg.Client

    beforeAll(async () => {
      target = shop()
      orders = new pg.Client({ connectionString: target.shop.databases.orders.url })
      await orders.connect()
    })

    afterAll(async () => {
      await orders?.end()
    })

    const storedDescription = async (id: string): Promise<string | null> =>
      (await orders.query('SELECT description FROM orders.orders WHERE id = $1', [id])).rows[0]?.description

    it('when an order is placed with any description the contract accepts, then it is answered, stored and read back exactly as sent', async () => {
      const { api } = target
      const user = api.newUser()
      await fc.assert(
        fc.asyncProperty(description, async (text) => {
          const placed = await api.placeOrder(user, 1, text)

          expect(placed.status).toBe(201)
          expect(placed.body.description).toBe(text)
          expect(await storedDescription(placed.body.id)).toBe(text)
          expect((await api.getOrder(user, placed.body.id)).body.description).toBe(text)
        }),
        fuzzSettings(RUNS),
      )
    }, 120_000)

    // A lone surrogate is valid JSON text but not Unicode: PostgreSQL would store U+FFFD instead,
    // text the client never sent, so the contract refuses it.
    it('when a description holds a lone surrogate, then it is refused, not silently replaced', async () => {
      const placed = await target.api.placeOrder(target.api.newUser(), 1, 'a\ud800b')

      expect(placed.status).toBe(422)
    })

    // Bytes that are not UTF-8 would be decoded to U+FFFD and stored: the JSON parser refuses them.
    it('when the body is not valid UTF-8, then it is refused, not silently replaced', async () => {
      const body = Buffer.concat([
        Buffer.from('{"amount":1,"description":"a'),
        Buffer.from([0xff]),
        Buffer.from('b"}'),
      ])

      const response = await sendRaw(target.shop.gateway, {
        method: 'POST',
        path: '/orders',
        headers: { 'x-user-id': target.api.newUser(), 'content-type': 'application/json' },
        body,
      })

      expect(response.status).toBe(400)
    })
  })
}
