import type { Static, TObject } from 'typebox'
import { loadConfigOrExit, type TelemetrySettings } from './config.ts'
import { type Listening, type ServeSettings, serveHttp } from './http/serve.ts'
import { createLogger, type Logger } from './logger.ts'
import { ServiceMetrics } from './metrics.ts'
import { type Closable, closeOnSignals } from './runtime.ts'
import { startTracing } from './telemetry/start-tracing.ts'

/** What every service's process has, whatever else it runs. */
type HttpServiceSettings = ServeSettings & TelemetrySettings & { LOG_LEVEL: string }

export interface HttpRuntime<Config> {
  config: Config
  logger: Logger
  metrics: ServiceMetrics
}

export interface HttpServiceDefinition<Schema extends TObject> {
  name: string
  configSchema: Schema
  /**
   * Builds the HTTP app and starts what runs beside it; returns what to close after the app
   * stopped listening, in order. The runtime listens and shuts down.
   */
  start(runtime: HttpRuntime<Static<Schema>>): Promise<{ app: Listening; closables?: Closable[] }>
}

/**
 * The entry point of every service's process (`server.ts`): validates config, starts logging and
 * tracing, builds the service, listens, and on SIGTERM or SIGINT closes it all in order: the HTTP
 * listeners first, so no request is cut off, then what the service started, tracing last, so the
 * spans of everything that closed before it are sent.
 */
export async function runHttpService<Schema extends TObject>(
  definition: HttpServiceDefinition<Schema>,
): Promise<void> {
  const config = loadConfigOrExit(definition.name, definition.configSchema) as Static<Schema> &
    HttpServiceSettings
  const logger = createLogger(definition.name, config.LOG_LEVEL)
  const tracing = await startTracing(definition.name, config)
  const metrics = new ServiceMetrics(definition.name)
  const { app, closables = [] } = await definition.start({ config, logger, metrics })
  const { listeners } = await serveHttp(app, metrics, config, logger)
  closeOnSignals(logger, [...listeners, ...closables, ...(tracing ? [tracing] : [])])
}
