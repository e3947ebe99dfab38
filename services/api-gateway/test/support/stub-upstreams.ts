import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { freePort } from '../../../../scripts/lib/launcher/service-process.ts'

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

export interface StubUpstream {
  url: string
  /** Every request that reached the stub, in arrival order. */
  seen: SeenRequest[]
  close(): Promise<void>
}

async function serve(server: Server, seen: SeenRequest[]): Promise<StubUpstream> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('stub upstream has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    seen,
    async close() {
      // A held request would keep close() waiting forever.
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** Answers every request with 200 and JSON describing what it received: method, url, headers and raw body. */
export async function startEchoUpstream(): Promise<StubUpstream> {
  const seen: SeenRequest[] = []
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const received = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    }
    seen.push(received)
    response.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' })
    response.end(JSON.stringify(received))
  })
  return serve(server, seen)
}

/** Accepts every request and never answers it: an upstream that hangs. */
export async function startHangingUpstream(): Promise<StubUpstream> {
  const seen: SeenRequest[] = []
  const server = createServer((request) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: '' })
  })
  return serve(server, seen)
}

/** A loopback URL where nothing listens: the kernel picked the port, and it was closed again. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`
}
