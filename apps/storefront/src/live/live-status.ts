import { readOrderStatusPush } from '@shop/contracts/browser'
import type { StatusPush } from '../domain/order.ts'
import type { Connection } from '../state/shop-state.ts'
import { reconnectDelayMs } from './backoff.ts'

/** The part of the browser's WebSocket used here, so tests can hand in a fake. */
export interface SocketLike {
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: unknown) => void) | null
  onerror: ((event: unknown) => void) | null
  close(code?: number, reason?: string): void
}

export interface LiveStatusOptions {
  /** The socket's URL, or how to get one for each connection (a fresh ticket, in oidc mode). */
  url: string | (() => Promise<string>)
  onPush(push: StatusPush): void
  onConnection(connection: Connection): void
  /** Called on every open, the first and each reconnect: read what may have changed meanwhile. */
  onOpen(): void
  createSocket?: (url: string) => SocketLike
  setTimer?: (run: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
  random?: () => number
}

export interface LiveStatus {
  /** Skips the wait before the next attempt (the network is back, say). */
  retryNow(): void
  close(): void
}

/** A connection that stayed open this long was a real one: the next failure starts backing off anew. */
const STABLE_AFTER_MS = 5_000

/**
 * Keeps a WebSocket to the live status endpoint open: reconnects with growing, jittered delays
 * after it closes, and asks for a re-read each time it opens, since pushes sent while it was
 * closed are gone. A status is therefore never missed, only learnt from the list instead.
 */
export function connectLiveStatus(options: LiveStatusOptions): LiveStatus {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike)
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms))
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>))
  let socket: SocketLike | undefined
  let retryTimer: unknown
  let stableTimer: unknown
  let failures = 0
  let closed = false

  const retryLater = () => {
    options.onConnection('reconnecting')
    retryTimer = setTimer(open, reconnectDelayMs(failures, options.random))
    failures += 1
  }

  const open = async () => {
    retryTimer = undefined
    let url: string
    try {
      url = typeof options.url === 'string' ? options.url : await options.url()
    } catch {
      if (!closed) retryLater()
      return
    }
    if (closed) return
    const current = createSocket(url)
    socket = current
    current.onopen = () => {
      options.onConnection('live')
      options.onOpen()
      stableTimer = setTimer(() => {
        failures = 0
      }, STABLE_AFTER_MS)
    }
    current.onmessage = (event) => {
      const push = readOrderStatusPush(event.data)
      if (push) options.onPush(push)
    }
    current.onerror = () => {
      // Always followed by close, which decides what comes next.
    }
    current.onclose = () => {
      if (socket !== current) return
      socket = undefined
      clearTimer(stableTimer)
      if (closed) return
      retryLater()
    }
  }

  options.onConnection('connecting')
  void open()

  return {
    retryNow() {
      if (closed || retryTimer === undefined) return
      clearTimer(retryTimer)
      void open()
    },
    close() {
      closed = true
      clearTimer(retryTimer)
      clearTimer(stableTimer)
      const current = socket
      socket = undefined
      current?.close(1000, 'page closed')
    },
  }
}

/** The live endpoint on the page's own host, over wss when the page came over https. */
export function liveStatusUrl(location: Pick<Location, 'protocol' | 'host'>, userId: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/ws?user_id=${encodeURIComponent(userId)}`
}
