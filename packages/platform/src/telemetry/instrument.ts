/**
 * Loaded before a service's own modules (`node --import`): the instrumentations patch `node:http`
 * and `pg` as they are first required, so they must be in place before anything imports them.
 * Both are CommonJS to the loader (Fastify requires `node:http`; `pg` is a CommonJS package that
 * ESM imports through `require`), so no ESM loader hook is needed. With no OTLP endpoint set this
 * module loads nothing of OpenTelemetry.
 */
import { Type } from 'typebox'
import { ConfigError, loadConfig, telemetrySettings, tracingConfigured } from '../config.ts'

function readSettings() {
  try {
    return loadConfig(Type.Object(telemetrySettings))
  } catch (error) {
    // A bad value is the service's own validation to report, with every other variable at fault.
    if (error instanceof ConfigError) return undefined
    throw error
  }
}

const settings = readSettings()
if (settings && tracingConfigured(settings)) {
  const { instrumentLibraries } = await import('./instrumentations.ts')
  instrumentLibraries()
}
