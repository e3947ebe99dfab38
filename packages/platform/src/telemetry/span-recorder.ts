import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { getRPCMetadata, RPCType } from '@opentelemetry/core'
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions'
import { type MessageSpan, type SpanRecorder, type TraceContext, traceContextOf } from '../tracing.ts'
import type { OutgoingMessage } from '../transport/port.ts'

// The messaging conventions are still "development" in OpenTelemetry's semantic conventions, whose
// package asks users to copy such names rather than import them from its unstable entry point.
const MESSAGING_SYSTEM = 'messaging.system'
const MESSAGING_DESTINATION_NAME = 'messaging.destination.name'
const MESSAGING_OPERATION_TYPE = 'messaging.operation.type'
const MESSAGING_OPERATION_NAME = 'messaging.operation.name'
const MESSAGING_MESSAGE_ID = 'messaging.message.id'
const MESSAGING_MESSAGE_BODY_SIZE = 'messaging.message.body.size'
const MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key'
const MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset'
const MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name'
const MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id'

/**
 * The OpenTelemetry side of `tracing.ts`: a request's ids come from the span the HTTP
 * instrumentation opened, and messages get spans after OpenTelemetry's messaging conventions.
 * The relay's `send` span is a child of the context the message was written in (the request or
 * message that caused it, whose `traceparent` the outbox row kept) and replaces that header with
 * its own; each consumer's `process` span is a child of the `send` span it receives. A parent
 * rather than a span link, because each message here is handled on its own, however it was
 * fetched, and a parent keeps one order's whole walk (gateway, orders-service, relay,
 * payments-service, relay, orders-service) in one trace that a trace viewer shows as one tree.
 */
export function openTelemetryRecorder(tracer: Tracer): SpanRecorder {
  return {
    current() {
      const spanContext = trace.getSpan(context.active())?.spanContext()
      if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined
      return traceOf(spanContext)
    },
    route(pattern) {
      // The HTTP instrumentation reads the route from here when the response ends, as it does
      // for the framework instrumentations that know their routes.
      const metadata = getRPCMetadata(context.active())
      if (metadata?.type === RPCType.HTTP) metadata.route = pattern
    },
    send(system, topic, message) {
      const parent = propagation.extract(ROOT_CONTEXT, message.headers ?? {})
      const span = tracer.startSpan(
        `send ${topic}`,
        { kind: SpanKind.PRODUCER, attributes: messageAttributes(system, 'send', topic, message) },
        parent,
      )
      const spanContext = trace.setSpan(parent, span)
      const headers = { ...message.headers }
      propagation.inject(spanContext, headers)
      return { span: messageSpan(span, spanContext), message: { ...message, headers } }
    },
    process(system, group, message) {
      const parent = propagation.extract(ROOT_CONTEXT, message.headers)
      const attributes: Attributes = {
        ...messageAttributes(system, 'process', message.topic, message),
        [MESSAGING_CONSUMER_GROUP_NAME]: group,
        [MESSAGING_DESTINATION_PARTITION_ID]: String(message.partition),
      }
      if (system === 'kafka') attributes[MESSAGING_KAFKA_OFFSET] = Number(message.offset)
      const span = tracer.startSpan(
        `process ${message.topic}`,
        { kind: SpanKind.CONSUMER, attributes },
        parent,
      )
      return {
        span: messageSpan(span, trace.setSpan(parent, span)),
        trace: traceOf(span.spanContext()),
      }
    },
  }
}

function traceOf(spanContext: { traceId: string; spanId: string; traceFlags: number }): TraceContext {
  return traceContextOf(
    spanContext.traceId,
    spanContext.spanId,
    spanContext.traceFlags.toString(16).padStart(2, '0'),
  )
}

function messageAttributes(
  system: string,
  operation: 'send' | 'process',
  topic: string,
  message: OutgoingMessage,
): Attributes {
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: system,
    [MESSAGING_OPERATION_TYPE]: operation,
    [MESSAGING_OPERATION_NAME]: operation,
    [MESSAGING_DESTINATION_NAME]: topic,
    [MESSAGING_MESSAGE_BODY_SIZE]: Buffer.byteLength(message.value),
  }
  const eventId = eventIdOf(message.value)
  if (eventId) attributes[MESSAGING_MESSAGE_ID] = eventId
  // The conventions name the key for Kafka only; on the embedded log it is the same order id.
  if (system === 'kafka') attributes[MESSAGING_KAFKA_MESSAGE_KEY] = message.key
  return attributes
}

/** The event's id from its envelope, the id both ends know a message by; none when it is not JSON. */
function eventIdOf(value: string): string | undefined {
  try {
    const id = (JSON.parse(value) as { event_id?: unknown }).event_id
    return typeof id === 'string' ? id : undefined
  } catch {
    return undefined
  }
}

function messageSpan(span: Span, spanContext: Context): MessageSpan {
  let ended = false
  return {
    within: (work) => context.with(spanContext, work),
    end(error) {
      if (ended) return
      ended = true
      if (error !== undefined) {
        const failure = error instanceof Error ? error : new Error(String(error))
        span.recordException(failure)
        span.setAttribute(ATTR_ERROR_TYPE, failure.name)
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message })
      }
      span.end()
    },
  }
}
