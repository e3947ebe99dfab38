/**
 * The floor: the minimal accept-only server (floor/accept-only-server.ts) driven by the same load
 * generator as the shop, at rising rates until what it accepts stops rising. Its peak is what an
 * HTTP order intake can take on this machine; the shop's settled orders/s are judged against it.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { OrderClient, openLoop } from './load.ts'
import { scratchOrdersDatabase } from './scratch-orders-database.ts'
import { type Distribution, distribution, round } from './stats.ts'

const SERVER = fileURLToPath(new URL('../floor/accept-only-server.ts', import.meta.url))
/** The service's pool size, so the floor has no more connections to PostgreSQL than orders-service. */
const SERVER_CONNECTIONS = 10
/** Accepted/s "still rises" when a step beats the best before it by more than this. */
const RISE = 1.05

export interface FloorStep {
  rate: number
  /** Requests answered 201. */
  accepted: number
  acceptedPerSec: number
  errors: number
  httpMs: Distribution
}

export interface FloorResult {
  /** The most `POST /orders` a second the accept-only server answered with 201, at its best step. */
  acceptedPerSec: number
  /** The step that gave it, and every step tried. */
  rate: number
  steps: FloorStep[]
}

export async function measureFloor(options: {
  adminUrl: string
  /** Where the orders are written: a database beside the shop's (SCRATCH_DATABASE unless said). */
  database?: string
  connections: number
  users: readonly string[]
  firstRate: number
  stepSeconds: number
  log: (line: string) => void
}): Promise<FloorResult> {
  const databaseUrl = await scratchOrdersDatabase(options.adminUrl, options.database)
  const server = spawn(process.execPath, [SERVER, databaseUrl, String(SERVER_CONNECTIONS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const url = await listeningUrl(server.stdout)
    const client = new OrderClient(url, options.connections)
    try {
      const steps: FloorStep[] = []
      let best: FloorStep | undefined
      for (let rate = options.firstRate; ; rate *= 2) {
        const step = await floorStep(client, options.users, rate, options.stepSeconds, options.connections)
        steps.push(step)
        options.log(
          `floor at ${rate} req/s: ${step.acceptedPerSec} accepted/s, p99 ${step.httpMs.p99} ms, ${step.errors} errors`,
        )
        const rose = !best || step.acceptedPerSec > best.acceptedPerSec * RISE
        if (!best || step.acceptedPerSec > best.acceptedPerSec) best = step
        if (!rose) break
      }
      const peak = best as FloorStep
      return { acceptedPerSec: peak.acceptedPerSec, rate: peak.rate, steps }
    } finally {
      await client.close()
    }
  } finally {
    server.kill('SIGTERM')
    if (server.exitCode === null) await once(server, 'exit')
  }
}

async function floorStep(
  client: OrderClient,
  users: readonly string[],
  rate: number,
  seconds: number,
  maxInFlight: number,
): Promise<FloorStep> {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const loop = await openLoop({
    rate,
    durationMs: seconds * 1000,
    maxInFlight,
    send: async () => {
      const placed = await client.placeOrder(users[next++ % users.length] as string)
      if (placed.status === 201) latencies.push(placed.ms)
      else errors += 1
    },
  })
  return {
    rate,
    accepted: latencies.length,
    acceptedPerSec: round(latencies.length / loop.seconds),
    errors,
    httpMs: distribution(latencies),
  }
}

/** The URL the server prints once it listens. */
async function listeningUrl(stdout: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stdout) {
    text += String(chunk)
    const match = /listening on (\S+)/.exec(text)
    if (match?.[1]) return match[1]
  }
  throw new Error(`the accept-only server ended before it listened: ${text}`)
}
