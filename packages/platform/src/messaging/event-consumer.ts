import type { EventDefinition } from '@shop/contracts'
import type pg from 'pg'
import type { Logger } from 'pino'
import { crashPoint } from '../crash-points.ts'
import { type Transaction, withTransaction } from '../db/pool.ts'
import { isTransientDatabaseError } from '../db/transient-errors.ts'
import type { ConsumeOutcome, ServiceMetrics } from '../metrics.ts'
import { continueTrace, TRACEPARENT_HEADER } from '../tracing.ts'
import type { DeliveredMessage, Subscription, Transport } from '../transport/port.ts'
import { storeDeadLetter } from './dead-letters.ts'
import { recordInInbox } from './inbox.ts'

export interface EventConsumerOptions<Event extends { event_id: string; payload: unknown }> {
  /** Names this consumer in the inbox and dead-letter tables. */
  name: string
  pool: pg.Pool
  transport: Transport
  topic: string
  group: string
  event: EventDefinition<Event>
  /** Applies the event's effect inside the transaction that also records it in the inbox. */
  handle: (trx: Transaction, event: Event, context: MessageContext) => Promise<unknown>
  logger: Logger
  metrics?: ServiceMetrics
  /** How often a message whose handling fails for a reason other than an unreachable database is tried. */
  maxAttempts?: number
}

export interface MessageContext {
  /** A logger bound to the message's trace and key (the order id). */
  log: Logger
  /** The `traceparent` for whatever this message causes: the same trace, a new span. */
  traceparent: string
}

const DEFAULT_MAX_ATTEMPTS = 5
const positionOf = (message: DeliveredMessage) => `${message.topic}/${message.partition}/${message.offset}`

export interface ConsumerStats {
  handled: number
  duplicates: number
  deadLettered: number
}

export interface EventConsumer {
  readonly stats: ConsumerStats
  stop(): Promise<void>
}

/**
 * Subscribes a handler to a topic with exactly-once effects over at-least-once delivery: each
 * message is validated against its contract, recorded in the inbox and applied in one transaction,
 * and acknowledged only after that transaction committed. A message that breaks the contract is
 * kept as a dead letter and acknowledged, so it never blocks its partition.
 */
export async function startEventConsumer<Event extends { event_id: string; payload: unknown }>(
  options: EventConsumerOptions<Event>,
): Promise<EventConsumer> {
  const stats: ConsumerStats = { handled: 0, duplicates: 0, deadLettered: 0 }
  const count = (outcome: ConsumeOutcome) =>
    options.metrics?.consumed.inc({ consumer: options.name, outcome })

  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  // Failures so far per message; the transport delivers a failed message again after a backoff.
  const attempts = new Map<string, number>()
  const giveUpOn = (message: DeliveredMessage): boolean => {
    const position = positionOf(message)
    const failures = (attempts.get(position) ?? 0) + 1
    if (failures < maxAttempts) {
      attempts.set(position, failures)
      return false
    }
    attempts.delete(position)
    return true
  }

  const consume = async (message: DeliveredMessage) => {
    const trace = continueTrace(message.headers[TRACEPARENT_HEADER])
    const log = options.logger.child({ trace_id: trace.traceId, order_id: message.key })
    const decoded = options.event.decode(message.value)
    if (!decoded.ok) {
      await storeDeadLetter(options.pool, options.name, message, decoded.error)
      stats.deadLettered += 1
      count('dead_lettered')
      log.error(
        { topic: message.topic, partition: message.partition, offset: message.offset, error: decoded.error },
        'message breaks its contract; stored as a dead letter',
      )
      return
    }
    const event = decoded.event
    let firstTime: boolean
    try {
      firstTime = await withTransaction(options.pool, async (trx) => {
        if (!(await recordInInbox(trx, options.name, event.event_id))) return false
        await options.handle(trx, event, { log, traceparent: trace.traceparent })
        return true
      })
    } catch (error) {
      count('failed')
      if (isTransientDatabaseError(error) || !giveUpOn(message)) throw error
      const reason = `handling failed ${maxAttempts} times: ${(error as Error).message}`
      await storeDeadLetter(options.pool, options.name, message, reason)
      stats.deadLettered += 1
      count('dead_lettered')
      log.error({ err: error, offset: message.offset }, 'message keeps failing; stored as a dead letter')
      return
    }
    attempts.delete(positionOf(message))
    crashPoint('consumer.after_commit')
    if (firstTime) stats.handled += 1
    else stats.duplicates += 1
    count(firstTime ? 'handled' : 'duplicate')
    log.debug({ event_id: event.event_id, duplicate: !firstTime }, 'event consumed')
  }

  const subscription: Subscription = await options.transport.subscribe({
    topic: options.topic,
    group: options.group,
    handleBatch: async (messages) => {
      for (const message of messages) await consume(message)
    },
  })

  return { stats, stop: () => subscription.close() }
}
