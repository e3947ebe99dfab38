import { commonSettings, httpServerSettings, telemetrySettings } from '@shop/platform'
import { type Static, Type } from 'typebox'

const HttpUrl = Type.String({ pattern: '^https?://[^/\\s]+/?$' })

export const GatewayConfig = Type.Object({
  ...httpServerSettings,
  ...telemetrySettings,
  LOG_LEVEL: commonSettings.LOG_LEVEL,
  /** HTTP port of the gateway: the only public entry. */
  PORT: Type.Integer({ default: 8000, minimum: 0, maximum: 65535 }),
  /** Where orders-service listens. */
  ORDERS_SERVICE_URL: Type.String({ ...HttpUrl, default: 'http://127.0.0.1:8001' }),
  /** Where payments-service listens. */
  PAYMENTS_SERVICE_URL: Type.String({ ...HttpUrl, default: 'http://127.0.0.1:8002' }),
  /** How long the gateway waits for a service's answer before it answers 504 itself. */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 100, maximum: 120_000 }),
  /**
   * Business requests one user (X-User-Id) may make per minute before the gateway answers 429
   * `rate_limited` with Retry-After; 0 turns the limit off. Probes and docs are never limited.
   */
  RATE_LIMIT_PER_MINUTE: Type.Integer({ default: 1_200, minimum: 0, maximum: 1_000_000 }),
})

export type GatewayConfig = Static<typeof GatewayConfig>
