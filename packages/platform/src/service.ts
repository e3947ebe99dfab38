import type pg from 'pg'
import type { Static, TObject } from 'typebox'
import type { commonSettings } from './config.ts'
import { type MigrationSource, migrate, migrationsApplied } from './db/migrate.ts'
import { createPool } from './db/pool.ts'
import type { Listening } from './http/serve.ts'
import { runHttpService } from './http-service.ts'
import type { Logger } from './logger.ts'
import type { EventConsumer } from './messaging/event-consumer.ts'
import type { ServiceMetrics } from './metrics.ts'
import { messagingMigrations } from './outbox/outbox.ts'
import { OutboxRelay } from './outbox/relay.ts'
import { startRetention } from './retention/service-retention.ts'
import { createTransport } from './transport/create-transport.ts'
import type { Transport } from './transport/port.ts'

type ServiceSettings = Static<TObject<typeof commonSettings>> & { PORT: number }

export interface ServiceRuntime<Config> {
  config: Config
  logger: Logger
  pool: pg.Pool
  transport: Transport
  metrics: ServiceMetrics
  /** The checks `GET /ready` runs: database, transport, migrations. */
  readiness: Record<string, () => Promise<boolean>>
}

/** What a service's consumer takes from the runtime; metrics are optional so tests may leave them out. */
export type ConsumerDeps<Config> = Pick<ServiceRuntime<Config>, 'config' | 'logger' | 'pool' | 'transport'> &
  Partial<Pick<ServiceRuntime<Config>, 'metrics'>>

export interface ServiceDefinition<Schema extends TObject> {
  name: string
  /** The PostgreSQL schema that holds the service's tables. */
  schema: string
  configSchema: Schema
  migrations: MigrationSource
  /** Builds the HTTP app and starts the consumers; the runtime listens, relays and shuts down. */
  start(runtime: ServiceRuntime<Static<Schema>>): Promise<{ app: Listening; consumers: EventConsumer[] }>
}

/**
 * Boots a service that owns a database and talks through the transport: on top of what every
 * service's process does (runHttpService), migrates, starts the outbox relay, retention and the
 * consumers, and on shutdown closes them after the HTTP listeners, the pool last.
 */
export async function runService<Schema extends TObject>(
  definition: ServiceDefinition<Schema>,
): Promise<void> {
  await runHttpService({
    name: definition.name,
    configSchema: definition.configSchema,
    start: async ({ config: validated, logger, metrics }) => {
      const config = validated as Static<Schema> & ServiceSettings
      const pool = createPool({
        connectionString: config.DATABASE_URL,
        schema: definition.schema,
        applicationName: definition.name,
      })
      const migrations = [messagingMigrations, definition.migrations]
      const applied = await migrate(pool, definition.schema, migrations)
      if (applied.length > 0) logger.info({ applied }, 'migrations applied')

      const transport = await createTransport(config, definition.name, logger)
      metrics.gauge(
        'consumer_lag_messages',
        'Messages a consumer group has yet to handle.',
        ['group', 'topic'],
        async (gauge) => {
          for (const { group, topic, lag } of await transport.consumerLag()) gauge.set({ group, topic }, lag)
        },
      )
      const relay = new OutboxRelay({
        pool,
        connectionString: config.DATABASE_URL,
        schema: definition.schema,
        transport,
        batchSize: config.OUTBOX_BATCH_SIZE,
        logger: logger.child({ component: 'outbox-relay' }),
        metrics,
      })
      // Before the relay, the consumers and HTTP write: retention creates today's partitions first.
      const retention = await startRetention({
        settings: config,
        pool,
        transport,
        logger: logger.child({ component: 'retention' }),
        metrics,
      })
      relay.start()

      const readiness = {
        database: () => pool.query('SELECT 1').then(() => true),
        transport: () => transport.isConnected(),
        migrations: () => migrationsApplied(pool, migrations),
      }
      const { app, consumers } = await definition.start({
        config,
        logger,
        pool,
        transport,
        metrics,
        readiness,
      })
      return {
        app,
        closables: [
          ...consumers.map((consumer, index) => ({
            name: `consumer ${index}`,
            close: () => consumer.stop(),
          })),
          { name: 'outbox relay', close: () => relay.stop() },
          { name: 'retention', close: () => retention.close() },
          { name: 'transport', close: () => transport.close() },
          { name: 'database pool', close: () => pool.end() },
        ],
      }
    },
  })
}
