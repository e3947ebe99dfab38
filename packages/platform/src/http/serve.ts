import type { Server } from 'node:http'
import { metricsPortOf } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { ServiceMetrics } from '../metrics.ts'
import type { Closable } from '../runtime.ts'
import { type ConnectionLimits, limitConnections } from './connection-limits.ts'
import { createMetricsApp } from './metrics-app.ts'

/** What the runtime needs of an HTTP app: its server, to listen, and to stop listening. */
export interface Listening {
  readonly server: Server
  listen(options: { host: string; port: number }): Promise<string>
  close(): Promise<void>
}

export interface ServeSettings extends ConnectionLimits {
  HOST: string
  PORT: number
  METRICS_HOST: string
  METRICS_PORT?: number | undefined
}

/** Where a service listens, and what to close on shutdown, API first. */
export interface Served {
  url: string
  metricsUrl: string
  listeners: Closable[]
}

/**
 * Puts a service on the network: its API on HOST:PORT and its metrics on a listener of their own
 * (METRICS_HOST, loopback by default, and METRICS_PORT), both with the configured connection
 * limits. Resolves once both listen; on shutdown the API closes first.
 */
export async function serveHttp(
  app: Listening,
  metrics: ServiceMetrics,
  settings: ServeSettings,
  logger: Logger,
): Promise<Served> {
  // Metrics first: once the API answers (its /health is what supervisors wait for), both listen.
  const metricsApp = createMetricsApp(metrics, logger.child({ component: 'metrics' }))
  limitConnections(metricsApp.server, settings)
  const metricsUrl = await metricsApp.listen({ host: settings.METRICS_HOST, port: metricsPortOf(settings) })
  logger.info({ url: `${metricsUrl}/metrics` }, 'metrics served')
  limitConnections(app.server, settings)
  const url = await app.listen({ host: settings.HOST, port: settings.PORT })
  return {
    url,
    metricsUrl,
    listeners: [
      { name: 'http', close: () => app.close() },
      { name: 'metrics', close: () => metricsApp.close() },
    ],
  }
}
