import { runHttpService } from '@shop/platform'
import { buildApp } from './app.ts'
import { GatewayConfig } from './config.ts'

await runHttpService({
  name: 'api-gateway',
  configSchema: GatewayConfig,
  async start(runtime) {
    return { app: await buildApp(runtime) }
  },
})
