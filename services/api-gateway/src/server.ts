import { runHttpService } from '@shop/platform'
import { buildApp } from './app.ts'
import { authSettingsViolation, GatewayConfig } from './config.ts'

await runHttpService({
  name: 'api-gateway',
  configSchema: GatewayConfig,
  async start(runtime) {
    // What the schema alone cannot say stops boot the same way: a message naming it, exit code 2.
    const violation = authSettingsViolation(runtime.config)
    if (violation) {
      console.error(`api-gateway: Invalid configuration:\n  ${violation}`)
      process.exit(2)
    }
    return { app: await buildApp(runtime) }
  },
})
