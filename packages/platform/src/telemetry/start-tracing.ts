import type { TelemetrySettings } from '../config.ts'
import { tracingConfigured } from '../config.ts'
import type { Closable } from '../runtime.ts'
import { recordSpansWith } from '../tracing.ts'

/**
 * Starts exporting traces when an OTLP endpoint is set, with `serviceName` as `service.name`
 * unless OTEL_SERVICE_NAME says otherwise; returns what flushes and stops it at shutdown. With no
 * endpoint it loads nothing and returns undefined: requests and messages keep their trace ids in
 * logs and headers, and no span is made.
 */
export async function startTracing(
  serviceName: string,
  settings: TelemetrySettings,
): Promise<Closable | undefined> {
  if (!tracingConfigured(settings)) return undefined
  const [{ registerTracerProvider }, { openTelemetryRecorder }] = await Promise.all([
    import('./tracer-provider.ts'),
    import('./span-recorder.ts'),
  ])
  const provider = registerTracerProvider(serviceName, settings)
  recordSpansWith(openTelemetryRecorder(provider.getTracer('@shop/platform')))
  return { name: 'tracing', close: () => provider.shutdown() }
}
