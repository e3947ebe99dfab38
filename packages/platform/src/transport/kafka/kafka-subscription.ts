import {
  Consumer,
  GroupProtocols,
  type Message,
  type MessagesStream,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  stringDeserializers,
} from '@platformatic/kafka'
import type { Logger } from 'pino'
import { backoffMs, sleep } from '../../wakeup.ts'
import type { BatchHandler, DeliveredMessage, Subscription } from '../port.ts'
import { OffsetCommitter } from './offset-committer.ts'

type StringMessage = Message<string, string, string, string>

export interface KafkaSubscriptionOptions {
  bootstrapBrokers: string[]
  clientId: string
  topic: string
  group: string
  handleBatch: BatchHandler
  logger: Logger
}

/** Messages handed to the handler at once, at most. */
const MAX_BATCH = 100

const toDelivered = (message: StringMessage): DeliveredMessage => ({
  topic: message.topic,
  partition: message.partition,
  offset: message.offset.toString(),
  key: message.key,
  value: message.value,
  headers: Object.fromEntries(message.headers),
})

/**
 * One consumer-group member on Kafka. Offsets are committed by hand, and only after the handler
 * resolved (in the background, while the next batch is handled: offset-committer.ts): a failing handler is retried in place with backoff (so its partition waits, keeping
 * per-key order) and a crash before the commit means the message is delivered again. A broker
 * that is down or goes away is waited for: the member reconnects and resumes from its group's
 * committed offsets.
 */
export class KafkaSubscription implements Subscription {
  readonly #options: KafkaSubscriptionOptions
  #consumer: Consumer<string, string, string, string> | undefined
  #stream: MessagesStream<string, string, string, string> | undefined
  #running = true
  readonly #loop: Promise<void>

  constructor(options: KafkaSubscriptionOptions) {
    this.#options = options
    this.#loop = this.#run()
  }

  /** Messages the group has yet to handle on this topic, as the broker sees it; 0 while disconnected. */
  async lag(): Promise<number> {
    const offsets = await this.#consumer?.getLag({ topics: [this.#options.topic] })
    const perPartition = offsets?.get(this.#options.topic) ?? []
    return perPartition.reduce((sum, behind) => sum + (behind > 0n ? Number(behind) : 0), 0)
  }

  async close(): Promise<void> {
    this.#running = false
    await this.#stream?.close().catch(() => {})
    await this.#loop
  }

  async #run(): Promise<void> {
    let failures = 0
    while (this.#running) {
      try {
        await this.#consume()
        failures = 0
      } catch (error) {
        failures += 1
        if (!this.#running) break
        const delayMs = backoffMs(failures, 200, 5_000)
        this.#options.logger.warn(
          { err: error, topic: this.#options.topic, group: this.#options.group, delayMs },
          'kafka consumer failed; reconnecting',
        )
        await sleep(delayMs)
      } finally {
        await this.#consumer?.close(true).catch(() => {})
        this.#consumer = undefined
        this.#stream = undefined
      }
    }
  }

  async #consume(): Promise<void> {
    const { bootstrapBrokers, clientId, group, topic } = this.#options
    this.#consumer = new Consumer({
      clientId,
      groupId: group,
      bootstrapBrokers,
      deserializers: stringDeserializers,
      // Kafka 4's consumer group protocol (KIP-848): the broker assigns partitions and moves only
      // those that change hands, so the other members keep consuming through a rebalance. How soon
      // a dead member's partitions move is the broker's session timeout, not a client setting.
      groupProtocol: GroupProtocols.CONSUMER,
      retryDelay: 200,
    })
    this.#stream = await this.#consumer.consume({
      topics: [topic],
      autocommit: false,
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      maxWaitTime: 200,
    })
    const stream = this.#stream
    const offsets = new OffsetCommitter()
    try {
      for await (const first of stream as AsyncIterable<StringMessage>) {
        // Whatever has already arrived goes into the same batch, so that under load the handler
        // and the offset commits work in batches; when idle a batch is a single message.
        const batch: StringMessage[] = [first]
        while (batch.length < MAX_BATCH && stream.readableLength > 0) {
          const next = stream.read() as StringMessage | null
          if (next === null) break
          batch.push(next)
        }
        if (!(await this.#handle(batch))) break
        offsets.add(batch)
      }
    } finally {
      // What was handled is committed before the member leaves, so a restart resumes after it.
      await offsets.drain()
    }
  }

  /** Returns false when the subscription closed before the batch was handled. */
  async #handle(batch: StringMessage[]): Promise<boolean> {
    let failures = 0
    while (this.#running) {
      try {
        await this.#options.handleBatch(batch.map(toDelivered))
        return true
      } catch (error) {
        failures += 1
        const delayMs = backoffMs(failures)
        const first = batch[0] as StringMessage
        this.#options.logger.warn(
          {
            err: error,
            topic: first.topic,
            partition: first.partition,
            offset: String(first.offset),
            delayMs,
          },
          'consumer handler failed; the batch will be delivered again',
        )
        await sleep(delayMs)
      }
    }
    return false
  }
}
