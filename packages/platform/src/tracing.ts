import { randomBytes } from 'node:crypto'

/** W3C Trace Context: `version-traceid-parentid-flags`, all lower-case hex. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ALL_ZEROS = /^0+$/

export const TRACEPARENT_HEADER = 'traceparent'

export interface TraceContext {
  traceId: string
  spanId: string
  traceparent: string
}

const format = (traceId: string, spanId: string, flags = '01'): TraceContext => ({
  traceId,
  spanId,
  traceparent: `00-${traceId}-${spanId}-${flags}`,
})

/**
 * Continues the trace a caller sent (a new span of the same trace) or starts a new one when the
 * header is missing or malformed, as the W3C specification asks. One order can then be followed
 * by its trace id through the gateway, both services and the events between them.
 */
export function continueTrace(header: unknown): TraceContext {
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim()) : null
  const spanId = randomBytes(8).toString('hex')
  if (match?.[1] && match[2] && match[3] && !ALL_ZEROS.test(match[1]) && !ALL_ZEROS.test(match[2])) {
    return format(match[1], spanId, match[3])
  }
  return format(randomBytes(16).toString('hex'), spanId)
}
