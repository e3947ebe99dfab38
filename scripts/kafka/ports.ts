// Loopback port helpers: choosing free ports, and probing whether one accepts connections.

import type { AddressInfo, Server } from 'node:net'
import { connect, createServer } from 'node:net'
import { freePort } from '../lib/free-port.ts'

export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

export type ServerPorts = { port: number; controllerPort: number }

// A port not given is a free one below the ephemeral range (free-port.ts says why); holding every
// listener until all are chosen keeps them distinct. A given port is checked too: if something
// else already listens there, the readiness probe would connect to it instead.
export async function reservePorts(wanted: Partial<ServerPorts>): Promise<ServerPorts> {
  const servers: Server[] = []
  const reserve = async (port?: number) => {
    const server = await listen(port ?? (await freePort()))
    servers.push(server)
    return (server.address() as AddressInfo).port
  }
  try {
    return { port: await reserve(wanted.port), controllerPort: await reserve(wanted.controllerPort) }
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port 127.0.0.1:${port} is already in use`) : err),
    )
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}
