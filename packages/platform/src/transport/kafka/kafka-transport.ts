import { Admin, ConfigResourceTypes, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka'
import type { Logger } from 'pino'
import type { ConsumerLag, OutgoingMessage, SubscribeOptions, Subscription, Transport } from '../port.ts'
import { KafkaSubscription } from './kafka-subscription.ts'

export interface KafkaTransportOptions {
  /** `host:port` addresses, as in KAFKA_BOOTSTRAP_SERVERS. */
  bootstrapServers: string[]
  clientId: string
  /** Partitions of a topic created at start-up; an existing topic keeps its count. */
  partitions: number
  logger: Logger
}

const READY_TIMEOUT_MS = 2_000

/**
 * The production transport. The producer is idempotent with acks=all, so a message the broker
 * acknowledged is on every in-sync replica and a retried send is not written twice; the default
 * partitioner hashes the key, so one order's messages share a partition and keep their order.
 * Topics are created when first used, with the configured partition count.
 */
export function createKafkaTransport(options: KafkaTransportOptions): Transport {
  const bootstrapBrokers = options.bootstrapServers
  const admin = new Admin({ clientId: `${options.clientId}-admin`, bootstrapBrokers, retryDelay: 200 })
  const producer = new Producer({
    clientId: `${options.clientId}-producer`,
    bootstrapBrokers,
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    retryDelay: 200,
  })
  const subscriptions = new Map<KafkaSubscription, { group: string; topic: string }>()
  const knownTopics = new Set<string>()

  const ensureTopic = async (topic: string) => {
    if (knownTopics.has(topic)) return
    try {
      await admin.createTopics({ topics: [topic], partitions: options.partitions, replicas: 1 })
    } catch (error) {
      // Another service or instance may have created it first; anything else is a real failure.
      if (!(await admin.listTopics()).includes(topic)) throw error
    }
    knownTopics.add(topic)
  }

  return {
    name: 'kafka',

    async logRetentionMs(topic: string) {
      const [described] = await admin.describeConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configurationKeys: ['retention.ms'],
          },
        ],
      })
      const value = described?.configs.find((config) => config.name === 'retention.ms')?.value
      if (value === undefined || value === null)
        throw new Error(`the broker did not say the retention.ms of ${topic}`)
      // -1 is Kafka's "never delete".
      return Number(value) < 0 ? Number.POSITIVE_INFINITY : Number(value)
    },

    async publish(topic: string, messages: readonly OutgoingMessage[]) {
      if (messages.length === 0) return
      await ensureTopic(topic)
      await producer.send({
        messages: messages.map((message) => ({
          topic,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        })),
      })
    },

    async subscribe({ topic, group, handleBatch }: SubscribeOptions): Promise<Subscription> {
      // A broker that is down at start-up must not stop the service: the topic is created, and
      // the consumer joins its group, as soon as the broker answers.
      await ensureTopic(topic).catch((error) =>
        options.logger.warn({ err: error, topic }, 'cannot create the topic yet; the consumer will wait'),
      )
      const subscription = new KafkaSubscription({
        bootstrapBrokers,
        clientId: `${options.clientId}-consumer`,
        topic,
        group,
        handleBatch,
        logger: options.logger,
      })
      subscriptions.set(subscription, { group, topic })
      return {
        async close() {
          subscriptions.delete(subscription)
          await subscription.close()
        },
      }
    },

    async consumerLag(): Promise<ConsumerLag[]> {
      return Promise.all(
        [...subscriptions].map(async ([subscription, { group, topic }]) => ({
          group,
          topic,
          lag: await subscription.lag().catch(() => 0),
        })),
      )
    },

    async isConnected() {
      const probe = admin.listTopics().then(() => true)
      const timeout = new Promise<boolean>((resolve) =>
        setTimeout(() => resolve(false), READY_TIMEOUT_MS).unref(),
      )
      return Promise.race([probe, timeout]).catch(() => false)
    },

    async close() {
      await Promise.all([...subscriptions.keys()].map((subscription) => subscription.close()))
      await Promise.allSettled([producer.close(), admin.close()])
    },
  }
}
