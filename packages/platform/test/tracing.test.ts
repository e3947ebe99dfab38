import { describe, expect, it } from 'vitest'
import { continueTrace } from '../src/tracing.ts'

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

describe('continueTrace', () => {
  it('when a valid traceparent comes in, then the trace id and flags are kept and a new span begins', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const trace = continueTrace(incoming)
    expect(trace.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(trace.spanId).not.toBe('00f067aa0ba902b7')
    expect(trace.traceparent).toMatch(TRACEPARENT)
    expect(trace.traceparent.endsWith('-01')).toBe(true)
  })

  it.each([
    ['missing', undefined],
    ['garbage', 'not-a-trace'],
    ['upper case', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['repeated', ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x']],
  ])('when the header is %s, then a new trace starts', (_kind, header) => {
    const trace = continueTrace(header)
    expect(trace.traceparent).toMatch(TRACEPARENT)
    expect(trace.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })
})
