import { commonSettings } from '@shop/platform'
import { type Static, Type } from 'typebox'

/** Group commit of `POST /orders` is on unless ORDER_BATCH_WINDOW_MS says 0. */
export const DEFAULT_ORDER_BATCH_WINDOW_MS = 2

export const OrdersConfig = Type.Object({
  ...commonSettings,
  /** HTTP port of orders-service. */
  PORT: Type.Integer({ default: 8001, minimum: 0, maximum: 65535 }),
  /** How long an order waits, while another batch is being written, for more orders to share its statement and commit; 0 writes and commits each order alone. */
  ORDER_BATCH_WINDOW_MS: Type.Integer({ default: DEFAULT_ORDER_BATCH_WINDOW_MS, minimum: 0, maximum: 1_000 }),
})

export type OrdersConfig = Static<typeof OrdersConfig>
