import { request } from 'node:http'
import { WebSocket } from 'ws'
import type { WireAnswer } from './raw-http.ts'

export interface TestSocket {
  socket: WebSocket
  /** Every message received so far, parsed as JSON, in order. */
  messages: Record<string, unknown>[]
  /** Resolves with the next message not yet taken, or fails after `timeoutMs`. */
  nextMessage(timeoutMs?: number): Promise<Record<string, unknown>>
  /** Resolves once the socket is closed, with the code and reason the server gave. */
  closed: Promise<{ code: number; reason: string }>
  close(): Promise<void>
}

/** Opens a WebSocket as a browser would and collects what it is sent; fails if the upgrade is refused. */
export async function openSocket(url: string): Promise<TestSocket> {
  const socket = new WebSocket(url)
  const messages: Record<string, unknown>[] = []
  let taken = 0
  const waiting: (() => void)[] = []
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()))
    for (const wake of waiting.splice(0)) wake()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const nextMessage = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs
    while (messages.length <= taken) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        waiting.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    taken += 1
    return messages[taken - 1] as Record<string, unknown>
  }
  return {
    socket,
    messages,
    nextMessage,
    closed,
    async close() {
      if (socket.readyState !== socket.CLOSED) socket.close()
      await closed
    },
  }
}

/** The HTTP answer to an upgrade the server refused: its status and JSON body. */
export async function refusedUpgrade(
  url: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const socket = new WebSocket(url)
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close()
      reject(new Error(`the upgrade to ${url} was accepted`))
    })
    socket.once('unexpected-response', (request, response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        // With a listener for this event, ending the request is up to it.
        request.destroy()
        const text = Buffer.concat(chunks).toString()
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} })
      })
    })
    socket.once('error', reject)
  })
}

/**
 * Opens the socket, retrying while the upgrade is refused: a live feed refuses subscribers until
 * it hears status changes, a moment after its service started.
 */
export async function openSocketWhenAccepted(url: string, timeoutMs = 10_000): Promise<TestSocket> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await openSocket(url)
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/** A valid handshake's headers (RFC 6455 4.1), for a test to spoil one of them. */
export const HANDSHAKE_HEADERS = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
}

/**
 * Sends an upgrade request with its target and headers exactly as given and resolves with the
 * answer: 101 (the socket is then closed at once) or the refusal with its headers and body.
 */
export function handshake(
  base: string,
  target: string,
  headers: Record<string, string> = HANDSHAKE_HEADERS,
): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(base, { path: target, headers })
    outgoing.on('upgrade', (response, socket) => {
      socket.destroy()
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' })
    })
    outgoing.on('response', (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

/**
 * Handshakes `ws` refuses, each as the header it spoils (undefined: left out) and the answer a
 * server of this shop must give: problem JSON, never the library's text/html.
 */
export const MALFORMED_HANDSHAKES: [string, Record<string, string | undefined>, number, string][] = [
  [
    'a Sec-WebSocket-Key that is not 16 bytes in base64',
    { 'sec-websocket-key': 'c2hvcnQ=' },
    400,
    'invalid_websocket_key',
  ],
  ['no Sec-WebSocket-Key', { 'sec-websocket-key': undefined }, 400, 'invalid_websocket_key'],
  [
    'a Sec-WebSocket-Version it does not speak',
    { 'sec-websocket-version': '12' },
    426,
    'unsupported_websocket_version',
  ],
  ['no Sec-WebSocket-Version', { 'sec-websocket-version': undefined }, 426, 'unsupported_websocket_version'],
  ['an Upgrade that is not websocket', { upgrade: 'websockets' }, 400, 'invalid_upgrade'],
  [
    'a malformed Sec-WebSocket-Protocol',
    { 'sec-websocket-protocol': 'chat,,chat' },
    400,
    'invalid_websocket_protocol',
  ],
]

/** The valid handshake's headers with `spoiled` applied. */
export function spoiledHandshake(spoiled: Record<string, string | undefined>): Record<string, string> {
  const headers: Record<string, string | undefined> = { ...HANDSHAKE_HEADERS, ...spoiled }
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}
