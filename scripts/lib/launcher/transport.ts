/** The transport a launched shop runs on: the embedded log, a given Kafka broker, or one started here. */
import { type KafkaBroker, startKafkaBroker } from '../../kafka/broker.ts'

export type TransportChoice =
  | { kind: 'embedded' }
  /** A broker at `bootstrap`, or, without one, a broker started here (throwaway unless `dataDir` is given). */
  | { kind: 'kafka'; bootstrap?: string; port?: number; dataDir?: string }

export interface RunningTransport {
  /** The settings that put a service on it. Empty means unset to the services: a broker named in the shell's environment does not switch the embedded transport to Kafka. */
  env: { KAFKA_BOOTSTRAP_SERVERS: string }
  /** The broker started here, if one was. */
  broker?: KafkaBroker
}

export async function provideTransport(choice: TransportChoice): Promise<RunningTransport> {
  if (choice.kind === 'embedded') return { env: { KAFKA_BOOTSTRAP_SERVERS: '' } }
  if (choice.bootstrap) return { env: { KAFKA_BOOTSTRAP_SERVERS: choice.bootstrap } }
  const broker = await startKafkaBroker({
    ...(choice.port === undefined ? {} : { port: choice.port, controllerPort: choice.port + 1 }),
    ...(choice.dataDir === undefined ? {} : { dataDir: choice.dataDir }),
    detached: true,
  })
  return { env: { KAFKA_BOOTSTRAP_SERVERS: broker.bootstrap }, broker }
}
