import { once } from 'node:events'
import { type IncomingHttpHeaders, request } from 'node:http'
import { connect, type Socket } from 'node:net'

/** An answer as it came off the wire: status, headers and body text. */
export interface WireAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * Sends a request whose target goes on the wire exactly as given: an absolute-form target
 * (`http://host/path`), dot segments, anything a browser or `fetch` would rewrite first.
 */
export function sendRequest(
  base: string,
  options: { method?: string; target: string; headers?: Record<string, string>; body?: string },
): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      base,
      { method: options.method ?? 'GET', path: options.target, headers: options.headers ?? {} },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        )
      },
    )
    outgoing.on('error', reject)
    outgoing.end(options.body)
  })
}

/** A TCP connection that writes what it is told, when it is told, and records what comes back. */
export interface RawConnection {
  socket: Socket
  /** Everything the server sent so far, as text. */
  readonly received: string
  /** Resolves once the server has closed the connection, with the time it happened (ms). */
  closedAt: Promise<number>
  /** Resolves once `text` has arrived from the server. */
  waitFor(text: string): Promise<void>
}

/** Opens a connection to the server at `base` (an http:// URL) and resolves once it is connected. */
export async function openConnection(base: string): Promise<RawConnection> {
  const { hostname, port } = new URL(base)
  const socket = connect(Number(port), hostname)
  let received = ''
  const arrivals: (() => void)[] = []
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    received += chunk
    for (const wake of arrivals.splice(0)) wake()
  })
  // A server that drops the connection may reset it: that is a close too.
  socket.on('error', () => {})
  const closedAt = once(socket, 'close').then(() => Date.now())
  await once(socket, 'connect')
  return {
    socket,
    get received() {
      return received
    },
    closedAt,
    async waitFor(text) {
      while (!received.includes(text)) {
        if (socket.destroyed) throw new Error(`closed before "${text}" arrived; got: ${received}`)
        await Promise.race([new Promise<void>((resolve) => arrivals.push(resolve)), closedAt])
      }
    },
  }
}

/** The first answer in raw HTTP/1.1 text: its status, lower-cased headers and body. */
export function parseAnswer(text: string): WireAnswer {
  const [head = '', ...rest] = text.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: IncomingHttpHeaders = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') }
}
