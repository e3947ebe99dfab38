import {
  closeOnSignals,
  createLogger,
  loadConfigOrExit,
  ServiceMetrics,
  serveHttp,
  startTracing,
} from '@shop/platform'
import { buildApp } from './app.ts'
import { authSettingsViolation, GatewayConfig } from './config.ts'

const config = loadConfigOrExit('api-gateway', GatewayConfig)
const violation = authSettingsViolation(config)
if (violation) {
  console.error(`api-gateway: Invalid configuration:\n  ${violation}`)
  process.exit(2)
}
const logger = createLogger('api-gateway', config.LOG_LEVEL)
const tracing = await startTracing('api-gateway', config)
const metrics = new ServiceMetrics('api-gateway')
const app = await buildApp({ config, logger, metrics })
const { listeners } = await serveHttp(app, metrics, config, logger)
closeOnSignals(logger, [...listeners, ...(tracing ? [tracing] : [])])
