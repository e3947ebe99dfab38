import { Type } from 'typebox'

/**
 * The W3C Trace Context header: each event carries the trace of the request that caused it, so
 * one order can be followed through every service. Also the name of the HTTP header.
 */
export const TRACEPARENT_HEADER = 'traceparent'

/**
 * The headers of an event message on the wire. The event's id, type and version are not headers:
 * they travel in the message body, where the consumer validates them with the payload.
 */
export const EventHeaders = Type.Object({
  [TRACEPARENT_HEADER]: Type.Optional(
    Type.String({
      description:
        'W3C Trace Context `traceparent` of the request or message that caused the event. A consumer ' +
        'continues this trace in a new span, or starts a new trace when the header is missing or malformed.',
    }),
  ),
})

/** The message key, which partitions a topic: one order's events share a partition and keep their order. */
export const EventKey = Type.String({
  format: 'uuid',
  description: 'The order id, in lower case. Messages with one key keep their order.',
})
