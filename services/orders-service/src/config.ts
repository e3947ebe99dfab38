import { commonSettings } from '@shop/platform'
import { type Static, Type } from 'typebox'

export const OrdersConfig = Type.Object({
  ...commonSettings,
  /** HTTP port of orders-service. */
  PORT: Type.Integer({ default: 8001, minimum: 0, maximum: 65535 }),
})

export type OrdersConfig = Static<typeof OrdersConfig>
