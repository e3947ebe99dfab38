import { request } from 'node:http'

/** A request as it goes on the wire: nothing is encoded, checked or fixed on the way. */
export interface RawRequest {
  method: string
  /** Path and query exactly as sent, percent signs and all. */
  path: string
  /** An array sends the header once per value, as a client with a duplicated header would. */
  headers: Record<string, string | string[]>
  body?: Buffer
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  ms: number
}

/** Well above the gateway's upstream timeout (2 s in the test shop): a hang is a failure, not a wait. */
const HANG_MS = 8_000

/**
 * Sends one request over node:http, which, unlike fetch, lets a test send duplicated headers, any
 * content type, no content type at all and bytes that are not UTF-8. Rejects if no full answer
 * arrives within HANG_MS.
 */
export function sendRaw(base: string, raw: RawRequest): Promise<RawResponse> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const outgoing = request(
      new URL(base),
      {
        // A connection per request: an answer that closes the connection without saying so (see
        // known-deviations.ts) would otherwise fail the next request on the reused socket.
        agent: false,
        method: raw.method,
        path: raw.path,
        headers: {
          ...raw.headers,
          ...(raw.body === undefined ? {} : { 'content-length': String(raw.body.length) }),
        },
        timeout: HANG_MS,
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        )
        response.on('error', reject)
      },
    )
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${HANG_MS} ms (a hang)`)))
    outgoing.on('error', reject)
    outgoing.end(raw.body)
  })
}

/** What a failing run prints: enough to replay the request with curl. */
export function describeExchange(raw: RawRequest, response?: RawResponse): string {
  const body = raw.body === undefined ? '(none)' : preview(raw.body.toString('latin1'))
  const headers = Object.entries(raw.headers)
    .map(([name, value]) => `${name}: ${preview(JSON.stringify(value))}`)
    .join('\n    ')
  const answer = response
    ? `${response.status} ${response.headers['content-type'] ?? ''}\n  ${preview(response.body)}`
    : '(no answer)'
  return `request:\n  ${raw.method} ${preview(raw.path)}\n    ${headers}\n  body: ${body}\nresponse:\n  ${answer}`
}

const preview = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text)
