import { afterAll, beforeAll } from 'vitest'
import { describeOrderDescriptions } from './order-descriptions.ts'
import { type ShopUnderTest, startShopUnderTest } from './support/shop-under-test.ts'
import { describeUserIsolation } from './user-isolation.ts'

/**
 * What the shop keeps for its users: it stays theirs, and it stays as they sent it. One running
 * shop serves both properties, because starting one costs more than the properties themselves.
 */
let target: ShopUnderTest

beforeAll(async () => {
  target = await startShopUnderTest()
})

afterAll(async () => {
  await target?.stop()
})

describeUserIsolation(() => target)
describeOrderDescriptions(() => target)
