import { Type } from 'typebox'

/** The largest amount of one order in minor units: 1,000,000,000.00. */
const MAX_ORDER_AMOUNT_MINOR = 100_000_000_000

/** What every event about an order carries: the order (also its message key), its owner and its amount. */
export const orderFields = {
  order_id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid' }),
  amount_minor: Type.Integer({ minimum: 1, maximum: MAX_ORDER_AMOUNT_MINOR }),
}
