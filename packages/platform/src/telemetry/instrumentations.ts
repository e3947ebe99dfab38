import type { IncomingMessage } from 'node:http'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'

/** Probes and scrapes come every few seconds and say nothing about an order: no trace for them. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics'])

const isUntraced = (request: IncomingMessage) =>
  UNTRACED_PATHS.has((request.url ?? '').split('?', 1)[0] ?? '')

/**
 * Spans of incoming HTTP (every listener), of the gateway's requests to the services (undici) and
 * of SQL statements (pg). Outgoing requests and statements are recorded only inside a trace: the
 * relay's and consumers' polling, which runs outside any span, would otherwise start a trace of
 * its own every second.
 */
export function instrumentLibraries(): void {
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: isUntraced,
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  })
}
