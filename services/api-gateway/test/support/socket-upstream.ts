import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'

export interface SocketUpstream {
  url: string
  /** Each upgrade the stub accepted: where it asked for, its headers, and the socket. */
  accepted: { url: string; headers: IncomingHttpHeaders; socket: WebSocket }[]
  /** How many upgrade requests arrived, accepted or refused. */
  upgrades: number
  close(): Promise<void>
}

/**
 * A stand-in for orders-service's live route: accepts every WebSocket upgrade, or refuses each
 * with the given status and problem JSON, and lets the test push and close from its side.
 */
export async function startSocketUpstream(refusal?: {
  status: number
  body: object
}): Promise<SocketUpstream> {
  const server = createServer((_request, response) => response.writeHead(404).end())
  const sockets = new WebSocketServer({ noServer: true })
  const upstream: SocketUpstream = {
    url: '',
    accepted: [],
    upgrades: 0,
    async close() {
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
  server.on('upgrade', (request, socket, head) => {
    upstream.upgrades += 1
    if (refusal) {
      const body = JSON.stringify(refusal.body)
      socket.end(
        `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/problem+json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
      return
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      upstream.accepted.push({ url: request.url ?? '', headers: request.headers, socket: client })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('socket upstream has no port')
  upstream.url = `http://127.0.0.1:${address.port}`
  return upstream
}
