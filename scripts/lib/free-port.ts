import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** Ports below this are left to well-known services. */
const LOWEST_CHOSEN = 10_000
/** Linux's default, where /proc does not say. */
const DEFAULT_LOWEST_EPHEMERAL = 32_768

/** The lowest of the ports the kernel hands to outgoing connections and to listen(0) on this machine. */
function lowestEphemeralPort(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    if (low > 0) return low
  } catch {
    // Not Linux: assume its default.
  }
  return DEFAULT_LOWEST_EPHEMERAL
}

/**
 * A loopback port that is free now, for a process that listens on it later. It is chosen below the
 * ephemeral range: a port the kernel picks for listen(0) is one it may give any outgoing
 * connection (a pg or Kafka client's) before that process listens, which failed a service's start
 * with EADDRINUSE. Chosen at random, so parallel test workers seldom pick the same one, and
 * listened on once to check nothing holds it.
 */
export async function freePort(): Promise<number> {
  const span = lowestEphemeralPort() - LOWEST_CHOSEN
  for (let attempt = 0; span >= 1_000 && attempt < 100; attempt++) {
    const port = await listenOnce(LOWEST_CHOSEN + Math.floor(Math.random() * span))
    if (port !== undefined) return port
  }
  const port = await listenOnce(0)
  if (port === undefined) throw new Error('no free port on 127.0.0.1')
  return port
}

/** Listens on `port` of loopback and closes at once; the port it got, or undefined when taken. */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(undefined))
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(address !== null && typeof address === 'object' ? address.port : undefined))
    })
  })
}
