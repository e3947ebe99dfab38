/**
 * A small load generator on undici: keep-alive connection pools, `POST /orders` as a shop front end
 * sends it, an open loop at a target rate (requests are started on schedule, whether or not the
 * previous ones answered) and a closed loop (N clients, each sending its next request when the
 * last one answered) for the largest rate the HTTP side accepts.
 */
import { Pool } from 'undici'
import { sleep, wallNow } from './stats.ts'

const ORDER_BODY = JSON.stringify({ amount: 1, description: 'bench' })
const REQUEST_TIMEOUT_MS = 15_000
/** The open loop starts the requests that are due every tick. */
const TICK_MS = 2

export interface PlacedOrder {
  status: number
  /** From the first byte sent to the whole answer read, milliseconds. */
  ms: number
  /** Wall clock when the 201 was read (comparable with PostgreSQL's timestamps on this machine). */
  answeredAt: number
  id?: string
  error?: string
}

export class OrderClient {
  readonly origin: string
  readonly #pool: Pool

  constructor(origin: string, connections: number) {
    this.origin = origin
    this.#pool = new Pool(origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    })
  }

  async placeOrder(userId: string): Promise<PlacedOrder> {
    const started = performance.now()
    try {
      const response = await this.#pool.request({
        path: '/orders',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': userId },
        body: ORDER_BODY,
      })
      const text = await response.body.text()
      const ms = performance.now() - started
      const answeredAt = wallNow()
      if (response.statusCode === 201) {
        return { status: 201, ms, answeredAt, id: (JSON.parse(text) as { id: string }).id }
      }
      return { status: response.statusCode, ms, answeredAt, error: text.slice(0, 200) }
    } catch (error) {
      return {
        status: 0,
        ms: performance.now() - started,
        answeredAt: wallNow(),
        error: error instanceof Error ? error.message : String(error),
      }
    }
  }

  close(): Promise<void> {
    return this.#pool.close()
  }
}

export interface LoopResult {
  /** Requests started. */
  sent: number
  /** Requests that were due but not started because every connection was busy (open loop only). */
  shed: number
  /** From the first request started to the last answer read. */
  seconds: number
}

/**
 * Starts `rate` requests a second for `durationMs`, never more than `maxInFlight` at once (one per
 * connection, so nothing queues inside the client and a request's time is the server's). Resolves
 * when every started request has answered.
 */
export async function openLoop(options: {
  rate: number
  durationMs: number
  maxInFlight: number
  send: () => Promise<void>
}): Promise<LoopResult> {
  const inFlight = new Set<Promise<void>>()
  let due = 0
  let sent = 0
  let shed = 0
  const started = performance.now()
  for (;;) {
    const elapsed = performance.now() - started
    if (elapsed >= options.durationMs) break
    const shouldHaveStarted = Math.floor((options.rate * elapsed) / 1000)
    while (due < shouldHaveStarted) {
      due += 1
      if (inFlight.size >= options.maxInFlight) {
        shed += 1
        continue
      }
      sent += 1
      const request: Promise<void> = options.send().finally(() => inFlight.delete(request))
      inFlight.add(request)
    }
    await sleep(TICK_MS)
  }
  await Promise.all(inFlight)
  return { sent, shed, seconds: (performance.now() - started) / 1000 }
}

/** `concurrency` clients, each sending back to back until `durationMs` has passed. */
export async function closedLoop(options: {
  concurrency: number
  durationMs: number
  send: () => Promise<void>
}): Promise<LoopResult> {
  const started = performance.now()
  const deadline = started + options.durationMs
  let sent = 0
  const client = async () => {
    while (performance.now() < deadline) {
      sent += 1
      await options.send()
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, client))
  return { sent, shed: 0, seconds: (performance.now() - started) / 1000 }
}
