import { createLogger, loadConfig } from '@shop/platform'
import { buildApp } from '../../../services/api-gateway/src/app.ts'
import { GatewayConfig } from '../../../services/api-gateway/src/config.ts'
import type { OpenApiDocument } from './openapi.ts'

/**
 * The gateway's OpenAPI document, built in this process: the app is built with its default
 * settings and never listens, and no service needs to run.
 */
export async function gatewayOpenApi(): Promise<OpenApiDocument> {
  const app = await buildApp({
    config: loadConfig(GatewayConfig, {}),
    logger: createLogger('api-gateway', 'silent'),
  })
  try {
    await app.ready()
    return app.swagger() as unknown as OpenApiDocument
  } finally {
    await app.close()
  }
}
