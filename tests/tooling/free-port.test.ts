import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { reservePorts } from '../../scripts/kafka/ports.ts'
import { freePort } from '../../scripts/lib/launcher/service-process.ts'

/** The lowest port the kernel hands to outgoing connections (and to listen(0)). */
const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])

const listen = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(() => new Promise((done) => server.close(() => done()))))
  })

describe('free loopback ports for the processes the launchers start', () => {
  it('when a port is chosen, then it lies below the ephemeral range, where no outgoing connection can take it first, and it can be listened on', async () => {
    // A port the kernel picked for listen(0) was given to a client's outgoing connection before
    // the gateway listened on it: "EADDRINUSE" and a failed start.
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()))

    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(1_024)
      expect(port).toBeLessThan(low)
    }
    const closers = await Promise.all(
      ports.filter((port, index) => ports.indexOf(port) === index).map(listen),
    )
    await Promise.all(closers.map((close) => close()))
  })

  it("when the Kafka broker's ports are reserved, then both lie below the ephemeral range and differ", async () => {
    const { port, controllerPort } = await reservePorts({})

    expect(port).toBeLessThan(low)
    expect(controllerPort).toBeLessThan(low)
    expect(port).not.toBe(controllerPort)
  })
})
