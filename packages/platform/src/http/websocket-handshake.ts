import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { ErrorCatalogue } from '@shop/contracts'
import { endWithProblem, type SocketProblem } from './framework-errors.ts'

type Refusal = Omit<SocketProblem, 'instance'> & { headers?: Record<string, string> }

/** Versions of the protocol `ws` speaks, as it names them in its own refusal. */
const SUPPORTED_VERSIONS = '13, 8'

/**
 * What `ws` refuses in a handshake, by the message it gives (its 'wsClientError' event carries
 * no status), as problems. A version it does not speak is 426 with the versions it does (RFC 6455
 * 4.2.2); the rest are malformed requests.
 */
const REFUSALS: Record<string, Refusal> = {
  'Missing or invalid Sec-WebSocket-Key header': {
    ...ErrorCatalogue.invalidWebSocketKey,
    detail: 'Sec-WebSocket-Key must be 16 bytes in base64',
  },
  'Missing or invalid Sec-WebSocket-Version header': {
    ...ErrorCatalogue.unsupportedWebSocketVersion,
    detail: `Sec-WebSocket-Version must be one of ${SUPPORTED_VERSIONS}`,
    headers: { 'Sec-WebSocket-Version': SUPPORTED_VERSIONS },
  },
  'Invalid Upgrade header': {
    ...ErrorCatalogue.invalidUpgrade,
    detail: 'Upgrade must be websocket',
  },
  'Invalid Sec-WebSocket-Protocol header': {
    ...ErrorCatalogue.invalidWebSocketProtocol,
    detail: 'Sec-WebSocket-Protocol must be a list of tokens, none twice',
  },
}
const MALFORMED: Refusal = ErrorCatalogue.invalidWebSocketHandshake

/**
 * A listener for the `ws` server's 'wsClientError': answers a handshake it refuses with problem
 * JSON instead of its own `text/html`, and closes the connection.
 */
export function refuseWebSocketHandshake(error: Error, socket: Duplex, request: IncomingMessage): void {
  if (socket.destroyed) return
  const { headers, ...problem } = REFUSALS[error.message] ?? MALFORMED
  endWithProblem(socket, { ...problem, ...(request.url ? { instance: request.url } : {}) }, headers)
  // A client that keeps its side open must not hold the connection once the answer is out.
  socket.once('finish', () => socket.destroy())
}
