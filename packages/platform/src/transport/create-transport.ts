import type { Logger } from 'pino'
import { createEmbeddedTransport } from './embedded/embedded-transport.ts'
import type { Transport } from './port.ts'

export interface TransportSettings {
  DATABASE_URL: string
  BROKER_DATABASE_URL?: string | undefined
  KAFKA_BOOTSTRAP_SERVERS?: string | undefined
  TOPIC_PARTITIONS: number
}

/**
 * Picks the transport from configuration alone: Kafka when KAFKA_BOOTSTRAP_SERVERS is set,
 * otherwise the embedded log. Services never know which one they talk to.
 */
export async function createTransport(
  settings: TransportSettings,
  clientId: string,
  logger: Logger,
): Promise<Transport> {
  const transportLogger = logger.child({ component: 'transport' })
  if (settings.KAFKA_BOOTSTRAP_SERVERS) {
    // Loaded only when chosen: the Kafka client is large, and most processes run without it.
    const { createKafkaTransport } = await import('./kafka/kafka-transport.ts')
    return createKafkaTransport({
      bootstrapServers: settings.KAFKA_BOOTSTRAP_SERVERS.split(','),
      clientId,
      partitions: settings.TOPIC_PARTITIONS,
      logger: transportLogger,
    })
  }
  return createEmbeddedTransport({
    connectionString: settings.BROKER_DATABASE_URL ?? settings.DATABASE_URL,
    partitions: settings.TOPIC_PARTITIONS,
    logger: transportLogger,
  })
}
