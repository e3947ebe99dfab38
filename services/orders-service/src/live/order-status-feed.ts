import { readOrderStatusNotice, toOrderStatusPush } from '@shop/contracts'
import { type Logger, listen } from '@shop/platform'
import type { WebSocket } from 'ws'
import { ORDER_STATUS_CHANNEL } from '../data/order-status-channel.ts'
import { OrderStatusSubscribers } from './order-status-subscribers.ts'

/** WebSocket close codes (RFC 6455 and the IANA registry) that tell a client to come back. */
export const CLOSE_GOING_AWAY = 1001
export const CLOSE_TRY_AGAIN_LATER = 1013

export interface OrderStatusFeed {
  /** Whether status changes are being heard now; while they are not, nobody may subscribe. */
  readonly listening: boolean
  /** Pushes the user's status changes to the socket from now until it closes. */
  subscribe(userId: string, socket: WebSocket): void
  /** How many sockets are subscribed. */
  readonly subscribers: number
  /** Closes every subscriber (going away) and stops listening. */
  close(): Promise<void>
}

/**
 * Hears the status changes that orders-service instances announce (on one LISTEN connection per
 * instance) and pushes each to the sockets of its order's owner on this instance. A client reads
 * its orders after it connects, so a push is never the only way to learn a status: when the LISTEN
 * connection drops, changes made meanwhile would be lost to the sockets that stay open, so they
 * are all closed to make their clients reconnect and re-read, and new ones are refused until the
 * connection is back.
 */
export function startOrderStatusFeed(options: { connectionString: string; logger: Logger }): OrderStatusFeed {
  const subscribers = new OrderStatusSubscribers()
  let listening = false

  const listener = listen({
    connectionString: options.connectionString,
    channels: [ORDER_STATUS_CHANNEL],
    logger: options.logger,
    onNotify: (_channel, payload) => {
      const notice = readOrderStatusNotice(payload)
      if (!notice) {
        options.logger.warn({ payload }, 'malformed order status notice ignored')
        return
      }
      subscribers.deliver(notice.user_id, JSON.stringify(toOrderStatusPush(notice)))
    },
    onListening: (now) => {
      listening = now
      if (now) return
      options.logger.warn(
        { subscribers: subscribers.size },
        'order status feed interrupted; closing its sockets',
      )
      subscribers.closeAll(CLOSE_TRY_AGAIN_LATER, 'live status interrupted; reconnect')
    },
  })

  return {
    get listening() {
      return listening
    },
    get subscribers() {
      return subscribers.size
    },
    subscribe: (userId, socket) => subscribers.add(userId, socket),
    async close() {
      listening = false
      subscribers.closeAll(CLOSE_GOING_AWAY, 'server shutting down')
      await listener.close()
    },
  }
}
