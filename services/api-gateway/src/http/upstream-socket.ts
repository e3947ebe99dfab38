import { WebSocket } from 'ws'

/** The upstream answered the upgrade with a plain HTTP response (a refusal) instead of 101. */
export class UpgradeRefused extends Error {
  readonly status: number
  readonly contentType: string
  readonly body: string
  constructor(status: number, contentType: string, body: string) {
    super(`upstream refused the WebSocket upgrade with ${status}`)
    this.status = status
    this.contentType = contentType
    this.body = body
  }
}

/** The upstream did not complete the handshake in time. */
export class UpgradeTimedOut extends Error {}

// What `ws` says when handshakeTimeout passes; it has no error code for it.
const HANDSHAKE_TIMEOUT = /handshake has timed out/i
const MAX_REFUSAL_BYTES = 64 * 1024

/**
 * Opens a WebSocket to the upstream and resolves once it is open. A refusal is an UpgradeRefused
 * carrying the upstream's answer, a handshake slower than `timeoutMs` an UpgradeTimedOut, and an
 * unreachable upstream the connection error itself.
 */
export function connectUpstreamSocket(
  url: string,
  options: { timeoutMs: number; headers: Record<string, string>; maxPayload: number },
): Promise<WebSocket> {
  const socket = new WebSocket(url, {
    handshakeTimeout: options.timeoutMs,
    headers: options.headers,
    maxPayload: options.maxPayload,
    perMessageDeflate: false,
  })
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket))
    socket.once('unexpected-response', (request, response) => {
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_REFUSAL_BYTES) chunks.push(chunk)
      })
      response.on('end', () => {
        // With a listener for this event, ending the request is up to it.
        request.destroy()
        const contentType = String(response.headers['content-type'] ?? 'text/plain')
        reject(new UpgradeRefused(response.statusCode ?? 502, contentType, Buffer.concat(chunks).toString()))
      })
      response.on('error', reject)
    })
    // Kept for the socket's whole life: an 'error' without a listener would crash the process. Once
    // open, a failure also closes the socket, and its 'close' is what the caller acts on.
    socket.on('error', (error) =>
      reject(HANDSHAKE_TIMEOUT.test(error.message) ? new UpgradeTimedOut() : error),
    )
  })
}
