import type { Logger } from 'pino'
import { createEmbeddedTransport } from './embedded/embedded-transport.ts'
import type { Transport } from './port.ts'

export interface TransportSettings {
  DATABASE_URL: string
  BROKER_DATABASE_URL?: string | undefined
  TOPIC_PARTITIONS: number
}

/** Picks the transport from configuration alone; services never know which one they talk to. */
export async function createTransport(settings: TransportSettings, logger: Logger): Promise<Transport> {
  return createEmbeddedTransport({
    connectionString: settings.BROKER_DATABASE_URL ?? settings.DATABASE_URL,
    partitions: settings.TOPIC_PARTITIONS,
    logger: logger.child({ component: 'transport' }),
  })
}
