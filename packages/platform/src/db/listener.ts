import pg from 'pg'
import type { Logger } from 'pino'
import { normalizeDatabaseUrl } from './pool.ts'

export interface Listener {
  close(): Promise<void>
}

const RECONNECT_DELAY_MS = 1_000

/**
 * Keeps one connection LISTENing on the given channels and calls `onNotify` for each notification.
 * Notifications are only a prompt to look: callers also poll, so a lost connection costs latency,
 * never messages. The connection is re-opened after it drops.
 */
export function listen(options: {
  connectionString: string
  channels: string[]
  onNotify: (channel: string, payload: string) => void
  /**
   * Told true once every channel is LISTENed to, and false when that connection is lost: whoever
   * relays notifications onward (not only as a prompt to poll) must know when some may be missed.
   */
  onListening?: (listening: boolean) => void
  logger: Logger
}): Listener {
  let client: pg.Client | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined

  const connect = async () => {
    const next = new pg.Client({
      connectionString: normalizeDatabaseUrl(options.connectionString),
      application_name: 'listener',
    })
    next.on('notification', (message) => options.onNotify(message.channel, message.payload ?? ''))
    next.on('error', (error) => {
      options.logger.warn({ err: error }, 'notification connection failed; reconnecting')
      scheduleReconnect(next)
    })
    next.on('end', () => scheduleReconnect(next))
    try {
      await next.connect()
      for (const channel of options.channels) await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`)
      if (closed) await next.end()
      else {
        client = next
        options.onListening?.(true)
      }
    } catch (error) {
      options.logger.warn({ err: error }, 'cannot listen for notifications yet; retrying')
      scheduleReconnect(next)
    }
  }

  const scheduleReconnect = (failed: pg.Client) => {
    if (closed || retry || (client && client !== failed)) return
    if (client === failed) options.onListening?.(false)
    client = undefined
    failed.end().catch(() => {})
    retry = setTimeout(() => {
      retry = undefined
      void connect()
    }, RECONNECT_DELAY_MS)
  }

  void connect()

  return {
    async close() {
      closed = true
      clearTimeout(retry)
      await client?.end().catch(() => {})
    },
  }
}
