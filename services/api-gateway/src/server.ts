import {
  closeOnSignals,
  createLogger,
  limitConnections,
  loadConfigOrExit,
  ServiceMetrics,
} from '@shop/platform'
import { buildApp } from './app.ts'
import { GatewayConfig } from './config.ts'

const config = loadConfigOrExit('api-gateway', GatewayConfig)
const logger = createLogger('api-gateway', config.LOG_LEVEL)
const app = await buildApp({ config, logger, metrics: new ServiceMetrics('api-gateway') })
limitConnections(app.server, config)
await app.listen({ host: config.HOST, port: config.PORT })
closeOnSignals(logger, [{ name: 'http', close: () => app.close() }])
