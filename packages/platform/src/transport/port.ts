/**
 * The one port every transport implements, shaped after Kafka: topics split into partitions by
 * message key, consumer groups that share partitions, and at-least-once delivery where a batch is
 * acknowledged (its offsets committed) only after the handler resolved.
 */
export interface OutgoingMessage {
  /** Partitioning key: messages with one key keep their order. Here always an order id. */
  key: string
  value: string
  headers?: Record<string, string>
}

export interface DeliveredMessage {
  topic: string
  partition: number
  /** Position in the partition, as a decimal string (Kafka offsets are 64-bit). */
  offset: string
  key: string
  value: string
  headers: Record<string, string>
}

/** Resolves when every message was handled; throwing makes the transport deliver the batch again. */
export type BatchHandler = (messages: readonly DeliveredMessage[]) => Promise<void>

export interface SubscribeOptions {
  topic: string
  group: string
  handleBatch: BatchHandler
}

export interface Subscription {
  /** Stops after the batch in hand was handled and committed. */
  close(): Promise<void>
}

export interface ConsumerLag {
  group: string
  topic: string
  lag: number
}

export interface Transport {
  readonly name: string
  /** Resolves once the transport durably accepted every message, in order per key. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>
  subscribe(options: SubscribeOptions): Promise<Subscription>
  /**
   * How long the broker keeps a topic's messages, in milliseconds (Infinity: for ever), when it can
   * say; the embedded log's retention is the service's own LOG_RETENTION and needs no asking.
   */
  logRetentionMs?(topic: string): Promise<number>
  /** How many messages each of this client's subscriptions has yet to handle; for `/metrics`. */
  consumerLag(): Promise<ConsumerLag[]>
  /** Whether the transport can reach its broker now; reported by `/ready`. */
  isConnected(): Promise<boolean>
  close(): Promise<void>
}
