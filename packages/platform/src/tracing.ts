import { randomFillSync } from 'node:crypto'
import { TRACEPARENT_HEADER } from '@shop/contracts'
import type { DeliveredMessage, OutgoingMessage } from './transport/port.ts'

/** W3C Trace Context: `version-traceid-parentid-flags`, all lower-case hex. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ALL_ZEROS = /^0+$/

// Defined with the event contracts, which carry it as a message header.
export { TRACEPARENT_HEADER }

export interface TraceContext {
  traceId: string
  spanId: string
  traceparent: string
}

/** A span around one message the outbox relay sends or a consumer handles. */
export interface MessageSpan {
  /** Runs `work` with this span current, so what it does (its SQL statements) are the span's children. */
  within<T>(work: () => T): T
  /** Ends the span, as failed when given an error; later calls do nothing. */
  end(error?: unknown): void
}

/**
 * What the OpenTelemetry SDK provides once tracing is started (`telemetry/start-tracing.ts`).
 * Without it, a trace is the ids in logs and headers only, and none of the SDK is loaded.
 */
export interface SpanRecorder {
  /** The span the instrumentation opened for the request being served, if any. */
  current(): TraceContext | undefined
  /** Tells the request's HTTP server span the route that matched it. */
  route(pattern: string): void
  send(
    system: string,
    topic: string,
    message: OutgoingMessage,
  ): { span: MessageSpan; message: OutgoingMessage }
  process(
    system: string,
    group: string,
    message: DeliveredMessage,
  ): { span: MessageSpan; trace: TraceContext }
}

let recorder: SpanRecorder | undefined

/** Installs (or, with undefined, removes) the recorder spans are made with. */
export function recordSpansWith(installed: SpanRecorder | undefined): void {
  recorder = installed
}

const UNTRACED: MessageSpan = { within: (work) => work(), end: () => {} }

/**
 * Random bytes for ids, drawn from a buffer refilled 4 KiB at a time: one call into the kernel's
 * random source per 170 requests instead of two per request, on every service's hot path.
 */
const randomPool = Buffer.alloc(4096)
let randomOffset = randomPool.length

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool)
    randomOffset = 0
  }
  const hex = randomPool.toString('hex', randomOffset, randomOffset + bytes)
  randomOffset += bytes
  return hex
}

export const traceContextOf = (traceId: string, spanId: string, flags = '01'): TraceContext => ({
  traceId,
  spanId,
  traceparent: `00-${traceId}-${spanId}-${flags}`,
})

/**
 * Continues the trace a caller sent (a new span of the same trace) or starts a new one when the
 * header is missing or malformed, as the W3C specification asks. One order can then be followed
 * by its trace id through the gateway, both services and the events between them. With tracing
 * on, the HTTP instrumentation has already continued the header in a span of its own: that span's
 * ids are used, so the logs and the exported spans name one trace.
 */
export function continueTrace(header: unknown): TraceContext {
  const current = recorder?.current()
  if (current) return current
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim()) : null
  const spanId = randomHex(8)
  if (match?.[1] && match[2] && match[3] && !ALL_ZEROS.test(match[1]) && !ALL_ZEROS.test(match[2])) {
    return traceContextOf(match[1], spanId, match[3])
  }
  return traceContextOf(randomHex(16), spanId)
}

/**
 * Names the request's HTTP server span after the route that matched it (`POST /orders/:order_id`,
 * with `http.route`): the HTTP instrumentation sees the URL only, and an id in a span's name would
 * make every request a name of its own.
 */
export function recordRoute(request: { readonly routeOptions: { readonly url?: string | undefined } }): void {
  // Fastify builds routeOptions on each read: read it only when there is a span to name.
  const pattern = recorder ? request.routeOptions.url : undefined
  if (pattern !== undefined) recorder?.route(pattern)
}

/**
 * Sets the trace of a request the gateway forwards over undici. With tracing on, the undici
 * instrumentation adds its client span's own `traceparent`: a second one would make the header
 * unreadable, so the caller's is dropped and the instrumentation's is the one sent.
 */
export function forwardTrace(headers: Record<string, unknown>, trace: TraceContext): void {
  if (recorder) delete headers[TRACEPARENT_HEADER]
  else headers[TRACEPARENT_HEADER] = trace.traceparent
}

/**
 * The relay's span for one message it publishes through the transport named `system`, and the
 * message to publish: traced, it carries this span's `traceparent` instead of its writer's.
 */
export function startSendSpan(
  system: string,
  topic: string,
  message: OutgoingMessage,
): { span: MessageSpan; message: OutgoingMessage } {
  return recorder?.send(system, topic, message) ?? { span: UNTRACED, message }
}

/** A consumer group's span for one delivered message, and the trace whatever it causes continues. */
export function startProcessSpan(
  system: string,
  group: string,
  message: DeliveredMessage,
): { span: MessageSpan; trace: TraceContext } {
  return (
    recorder?.process(system, group, message) ?? {
      span: UNTRACED,
      trace: continueTrace(message.headers[TRACEPARENT_HEADER]),
    }
  )
}

/** Runs `work` and ends every span with its outcome: failed, with the error, when it throws. */
export async function endingSpans<T>(spans: readonly MessageSpan[], work: () => Promise<T>): Promise<T> {
  try {
    const result = await work()
    for (const span of spans) span.end()
    return result
  } catch (error) {
    for (const span of spans) span.end(error)
    throw error
  }
}
