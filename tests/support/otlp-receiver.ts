import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import protobuf from 'protobufjs'

/** One exported span, as the tests read it, whichever encoding it came in. */
export interface ReceivedSpan {
  /** `service.name` of the resource that exported it. */
  service: string
  traceId: string
  spanId: string
  /** Empty for a root span. */
  parentSpanId: string
  name: string
  kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED'
  attributes: Record<string, unknown>
  links: { traceId: string; spanId: string }[]
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number
}

export interface OtlpReceiver {
  /** What to set OTEL_EXPORTER_OTLP_ENDPOINT to. */
  url: string
  spans: ReceivedSpan[]
  /** The content type of every export request received. */
  contentTypes: string[]
  close(): Promise<void>
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const
const JSON_TYPE = 'application/json'
const PROTOBUF_TYPE = 'application/x-protobuf'

// The OTLP messages, decoded by protobufjs from their .proto definition.
const ExportTraceServiceRequest = protobuf
  .loadSync(new URL('otlp/trace.proto', import.meta.url).pathname)
  .lookupType('opentelemetry.proto.ExportTraceServiceRequest')

/**
 * A small OTLP/HTTP trace receiver on loopback: `POST /v1/traces` in `http/json` or
 * `http/protobuf`, as a collector accepts them. With `keep: false` it answers and discards, for
 * measuring what exporting costs the services.
 */
export async function startOtlpReceiver(options: { keep?: boolean } = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const contentTypes: string[] = []
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request)
    const contentType = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim() ?? ''
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end()
      return
    }
    if (contentType !== JSON_TYPE && contentType !== PROTOBUF_TYPE) {
      response.writeHead(415).end()
      return
    }
    contentTypes.push(contentType)
    if (options.keep !== false) spans.push(...spansOf(decode(contentType, body)))
    if (contentType === JSON_TYPE) response.writeHead(200, { 'content-type': JSON_TYPE }).end('{}')
    else response.writeHead(200, { 'content-type': PROTOBUF_TYPE }).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return {
    url: `http://127.0.0.1:${address.port}`,
    spans,
    contentTypes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

// Both encodings have the same shape once protobufjs names fields in camelCase, as OTLP/JSON does;
// they differ in ids (hex strings in JSON, bytes in protobuf) and in how 64-bit numbers are written.
interface OtlpValue {
  stringValue?: string
  boolValue?: boolean
  intValue?: string | number
  doubleValue?: number
}
interface OtlpKeyValue {
  key: string
  value?: OtlpValue
}
type OtlpId = string | Uint8Array | undefined
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] }
    scopeSpans?: {
      spans?: {
        traceId: OtlpId
        spanId: OtlpId
        parentSpanId?: OtlpId
        name: string
        kind?: number
        attributes?: OtlpKeyValue[]
        links?: { traceId: OtlpId; spanId: OtlpId }[]
        status?: { code?: number }
      }[]
    }[]
  }[]
}

function decode(contentType: string, body: Buffer): OtlpRequest {
  if (contentType === JSON_TYPE) return JSON.parse(body.toString('utf8')) as OtlpRequest
  const message = ExportTraceServiceRequest.decode(body)
  return ExportTraceServiceRequest.toObject(message, { longs: String, enums: Number }) as OtlpRequest
}

const hex = (id: OtlpId) =>
  id === undefined ? '' : typeof id === 'string' ? id : Buffer.from(id).toString('hex')

function anyValueOf(value: OtlpValue | undefined): unknown {
  if (value === undefined) return undefined
  if (value.intValue !== undefined) return Number(value.intValue)
  return value.stringValue ?? value.boolValue ?? value.doubleValue
}

const attributesOf = (attributes: OtlpKeyValue[] = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, anyValueOf(value)]))

function spansOf(request: OtlpRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '')
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        name: span.name,
        kind: KINDS[span.kind ?? 0] ?? 'UNSPECIFIED',
        attributes: attributesOf(span.attributes),
        links: (span.links ?? []).map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
        statusCode: span.status?.code ?? 0,
      })),
    )
  })
}
