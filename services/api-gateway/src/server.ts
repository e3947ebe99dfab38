import { ConfigError, closeOnSignals, createLogger, loadConfig } from '@shop/platform'
import { buildApp } from './app.ts'
import { GatewayConfig } from './config.ts'

let config: GatewayConfig
try {
  config = loadConfig(GatewayConfig)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(`api-gateway: ${error.message}`)
  process.exit(2)
}
const logger = createLogger('api-gateway', config.LOG_LEVEL)
const app = await buildApp({ config, logger })
await app.listen({ host: config.HOST, port: config.PORT })
closeOnSignals(logger, [{ name: 'http', close: () => app.close() }])
