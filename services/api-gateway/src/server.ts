import {
  closeOnSignals,
  createLogger,
  loadConfigOrExit,
  ServiceMetrics,
  serveHttp,
  startTracing,
} from '@shop/platform'
import { buildApp } from './app.ts'
import { GatewayConfig } from './config.ts'

const config = loadConfigOrExit('api-gateway', GatewayConfig)
const logger = createLogger('api-gateway', config.LOG_LEVEL)
const tracing = await startTracing('api-gateway', config)
const metrics = new ServiceMetrics('api-gateway')
const app = await buildApp({ config, logger, metrics })
const { listeners } = await serveHttp(app, metrics, config, logger)
closeOnSignals(logger, [...listeners, ...(tracing ? [tracing] : [])])
