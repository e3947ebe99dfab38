import type { EventDecoder } from '@shop/contracts'
import type pg from 'pg'
import type { Logger } from 'pino'
import { crashPoint } from '../crash-points.ts'
import { autocommit, inTransaction, type Transaction } from '../db/transaction.ts'
import { isTransientDatabaseError } from '../db/transient-errors.ts'
import type { ConsumeOutcome, ServiceMetrics } from '../metrics.ts'
import { startProcessSpan } from '../tracing.ts'
import type { DeliveredMessage, Subscription, Transport } from '../transport/port.ts'
import { storeDeadLetter } from './dead-letters.ts'
import { type InboxEntry, recordAllInInbox, recordInInbox } from './inbox.ts'

/** The `type` names of a topic's events (`never` for a topic of untyped events). */
type TypeOf<Event> = Event extends { type: infer Name extends string } ? Name : never

export interface ApplyTogether<Event, Type extends TypeOf<Event>> {
  type: Type
  apply: (
    tx: Transaction,
    events: readonly HandledEvent<Extract<Event, { type: Type }>>[],
  ) => Promise<unknown>
}

export interface EventConsumerOptions<
  Event extends InboxEntry & { payload: unknown },
  Together extends TypeOf<Event> = TypeOf<Event>,
> {
  /** Names this consumer in the inbox and dead-letter tables. */
  name: string
  pool: pg.Pool
  transport: Transport
  topic: string
  group: string
  /** The event the topic carries (its definition), or the several it carries (`topicEvents`). */
  event: Pick<EventDecoder<Event>, 'decode'>
  /** Applies the event's effect inside the transaction that also records it in the inbox. */
  handle: (tx: Transaction, event: Event, context: MessageContext) => Promise<unknown>
  /**
   * The events of one type that a batch applies at once, set-wise, inside the transaction that
   * records them in the inbox: what lets a batch cost one round of statements rather than one per
   * event. Only a batch whose new events are all of this type is applied so; any other batch is
   * applied by `handle`, one event after another in delivery order, since an event of another type
   * may decide a later one (a credit the charge after it may need).
   */
  together?: ApplyTogether<Event, Together>
  logger: Logger
  metrics?: ServiceMetrics
  /**
   * The most messages of a delivered batch applied in one transaction (CONSUMER_BATCH_SIZE); a
   * larger delivery is applied in slices of this size, one after another. 1 applies every message
   * in a transaction of its own, one event at a time: the path without batching.
   */
  batchSize?: number
  /** How often a message whose handling fails for a reason other than an unreachable database is tried. */
  maxAttempts?: number
}

export interface MessageContext {
  /** A logger bound to the message's trace and key (the order id). */
  log: Logger
  /** The `traceparent` for whatever this message causes: the same trace, a new span. */
  traceparent: string
}

/** An event of a batch, with the context its own message gives it. */
export interface HandledEvent<Event> {
  event: Event
  context: MessageContext
}

const DEFAULT_MAX_ATTEMPTS = 5
const DEFAULT_BATCH_SIZE = 1_000
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
 * message is validated against its contract, recorded in the inbox and applied in the same
 * transaction (a batch shares one), and acknowledged only after that transaction committed. A
 * message that breaks the contract, or keeps failing, is kept as a dead letter and acknowledged,
 * so it never blocks its partition.
 */
export async function startEventConsumer<
  Event extends InboxEntry & { payload: unknown },
  Together extends TypeOf<Event> = TypeOf<Event>,
>(options: EventConsumerOptions<Event, Together>): Promise<EventConsumer> {
  const stats: ConsumerStats = { handled: 0, duplicates: 0, deadLettered: 0 }
  const count = (outcome: ConsumeOutcome) =>
    options.metrics?.consumed.inc({ consumer: options.name, outcome })

  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
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

  const prepare = (message: DeliveredMessage) => {
    const { span, trace } = startProcessSpan(options.transport.name, options.group, message)
    const log = options.logger.child({ trace_id: trace.traceId, order_id: message.key })
    return { message, span, trace, log, decoded: options.event.decode(message.value) }
  }
  type Prepared = ReturnType<typeof prepare>

  /** Records the event in the inbox and applies it; false when the inbox had seen it already. */
  const apply = async (tx: Transaction, prepared: Prepared, event: Event): Promise<boolean> => {
    if (!(await recordInInbox(tx, options.name, event))) return false
    await handle(tx, prepared, event)
    return true
  }

  const handle = (tx: Transaction, { span, trace, log }: Prepared, event: Event) =>
    span.within(() => options.handle(tx, event, { log, traceparent: trace.traceparent }))

  const counted = ({ message, span, log }: Prepared, eventId: string, firstTime: boolean) => {
    span.end()
    attempts.delete(positionOf(message))
    if (firstTime) stats.handled += 1
    else stats.duplicates += 1
    count(firstTime ? 'handled' : 'duplicate')
    // The partition says which member of the group handled which share of the topic.
    log.debug({ event_id: eventId, partition: message.partition, duplicate: !firstTime }, 'event consumed')
  }

  const setAside = async ({ message, span, log }: Prepared, reason: string, error?: unknown) => {
    await storeDeadLetter(autocommit(options.pool), options.name, message, reason)
    span.end(error ?? reason)
    stats.deadLettered += 1
    count('dead_lettered')
    log.error(
      { err: error, topic: message.topic, partition: message.partition, offset: message.offset, reason },
      'message set aside as a dead letter',
    )
  }

  /** One message in its own transaction: the careful path, which can tell whose fault a failure is. */
  const consumeOne = async (prepared: Prepared) => {
    if (!prepared.decoded.ok) return setAside(prepared, prepared.decoded.error)
    const event = prepared.decoded.event
    let firstTime: boolean
    try {
      firstTime = await prepared.span.within(() =>
        inTransaction(options.pool, (tx) => apply(tx, prepared, event)),
      )
    } catch (error) {
      count('failed')
      if (isTransientDatabaseError(error) || !giveUpOn(prepared.message)) throw error
      return setAside(prepared, `handling failed ${maxAttempts} times: ${(error as Error).message}`, error)
    }
    crashPoint('consumer.after_commit')
    counted(prepared, event.event_id, firstTime)
  }

  /**
   * A whole batch in one transaction: one commit instead of one per message, which is what lets
   * the consumers keep up with the rate PostgreSQL can commit orders. Returns false when the batch
   * holds a message that breaks its contract, which the careful path then sets aside.
   */
  const consumeTogether = async (batch: Prepared[]): Promise<boolean> => {
    const events = batch.map((prepared) => (prepared.decoded.ok ? prepared.decoded.event : undefined))
    if (events.includes(undefined)) return false
    const firstTimes = await inTransaction(options.pool, async (tx) => {
      const fresh = await recordAllInInbox(tx, options.name, events as Event[])
      const toApply = batch.flatMap((prepared, index) =>
        fresh[index] ? [{ prepared, event: events[index] as Event }] : [],
      )
      const together = options.together
      const allOfItsType = (event: Event): event is Extract<Event, { type: Together }> =>
        (event as { type?: string }).type === together?.type
      if (together && toApply.length > 0 && toApply.every(({ event }) => allOfItsType(event))) {
        await together.apply(
          tx,
          toApply.map(({ prepared: { log, trace }, event }) => ({
            event: event as Extract<Event, { type: Together }>,
            context: { log, traceparent: trace.traceparent },
          })),
        )
      } else {
        for (const { prepared, event } of toApply) await handle(tx, prepared, event)
      }
      return fresh
    })
    crashPoint('consumer.after_commit')
    batch.forEach((prepared, index) => {
      counted(prepared, (events[index] as Event).event_id, firstTimes[index] as boolean)
    })
    return true
  }

  const subscription: Subscription = await options.transport.subscribe({
    topic: options.topic,
    group: options.group,
    handleBatch: async (messages) => {
      for (let from = 0; from < messages.length; from += batchSize) {
        await handleSlice(messages.slice(from, from + batchSize))
      }
    },
  })

  /** One slice of a delivery: together in one transaction when it can be, else message by message. */
  async function handleSlice(messages: readonly DeliveredMessage[]): Promise<void> {
    const batch = messages.map(prepare)
    try {
      if (batch.length > 1) {
        try {
          if (await consumeTogether(batch)) return
        } catch (error) {
          // An unreachable database fails every path alike; any other failure is looked into
          // message by message, so only the message at fault is retried and, in the end, set aside.
          if (isTransientDatabaseError(error)) throw error
        }
      }
      for (const prepared of batch) await consumeOne(prepared)
    } catch (error) {
      // The batch comes again; this delivery's spans end here, the handled ones having ended already.
      for (const prepared of batch) prepared.span.end(error)
      throw error
    }
  }

  return { stats, stop: () => subscription.close() }
}
