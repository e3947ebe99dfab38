import { commonSettings } from '@shop/platform'
import { type Static, Type } from 'typebox'

export const PaymentsConfig = Type.Object({
  ...commonSettings,
  /** HTTP port of payments-service. */
  PORT: Type.Integer({ default: 8002, minimum: 0, maximum: 65535 }),
})

export type PaymentsConfig = Static<typeof PaymentsConfig>
