import { existsSync } from 'node:fs'
import { DEFAULT_ORDERS_TOPIC, DEFAULT_PAYMENT_RESULTS_TOPIC } from '@shop/contracts'
import { type Static, type TObject, type TSchema, Type } from 'typebox'
import { Value } from 'typebox/value'
import { DURATION_PATTERN, parseDuration } from './retention/duration.ts'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const LogLevel = Type.Union(
  [
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ],
  { default: 'info' },
)

/**
 * How every service's HTTP listeners treat their clients, and where its metrics are served. Each
 * bound cuts off a client that holds a connection without finishing what it started.
 */
export const httpServerSettings = {
  /** Bind address of the HTTP server. */
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** How long a client may take to send a request's line and headers before 408 and a close. */
  HEADERS_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, maximum: 600_000 }),
  /** How long a client may take to send a whole request, body included, before 408 and a close. */
  REQUEST_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 100, maximum: 3_600_000 }),
  /** How long a keep-alive connection may sit idle between requests before it is closed (announced in whole seconds). */
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ default: 5_000, minimum: 1_000, maximum: 600_000 }),
  /** Open connections one process accepts; one more is closed at once instead of waiting. */
  MAX_CONNECTIONS: Type.Integer({ default: 1_000, minimum: 1, maximum: 1_000_000 }),
  /** Bind address of the metrics listener (`GET /metrics`); loopback keeps it private. */
  METRICS_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** Port of the metrics listener; defaults to PORT + 100 (any free port when PORT is 0). */
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
}

/** Where metrics are served when METRICS_PORT is not set: 100 above the service's own port. */
export const METRICS_PORT_OFFSET = 100

/** The metrics listener's port: METRICS_PORT, or PORT + 100 (0, any free port, when PORT is 0). */
export function metricsPortOf(settings: { PORT: number; METRICS_PORT?: number | undefined }): number {
  if (settings.METRICS_PORT !== undefined) return settings.METRICS_PORT
  if (settings.PORT === 0) return 0
  const port = settings.PORT + METRICS_PORT_OFFSET
  if (port > 65535)
    throw new ConfigError(`METRICS_PORT: is required when PORT + ${METRICS_PORT_OFFSET} is over 65535`)
  return port
}

/**
 * The secret the gateway sends to the services on every request it forwards. When a service has
 * one, it refuses business requests without it, so its port is no way around the gateway.
 */
export const internalAuthSettings = {
  /** Shared secret between the gateway and the services (at least 32 characters); unset, the services trust every caller. */
  INTERNAL_AUTH_TOKEN: Type.Optional(
    Type.String({ minLength: 32, maxLength: 1024, pattern: '^[\\x21-\\x7e]+$' }),
  ),
}

const OtlpUrl = Type.String({ pattern: '^https?://[^\\s]+$' })

/**
 * OpenTelemetry's standard variables, those this code honours. Tracing is on when an OTLP
 * endpoint is set (and OTEL_SDK_DISABLED is not true); otherwise no SDK is loaded and no span is made.
 */
export const telemetrySettings = {
  /** Base URL of an OTLP/HTTP receiver; traces go to its `/v1/traces`. Setting it turns tracing on. */
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(OtlpUrl),
  /** Full URL traces are sent to, used as given; wins over OTEL_EXPORTER_OTLP_ENDPOINT and also turns tracing on. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Type.Optional(OtlpUrl),
  /** How spans are encoded: `http/protobuf` (the standard's default) or `http/json`; gRPC is not supported. */
  OTEL_EXPORTER_OTLP_PROTOCOL: Type.Union([Type.Literal('http/protobuf'), Type.Literal('http/json')], {
    default: 'http/protobuf',
  }),
  /** `service.name` of the exported spans; defaults to the service's own name (`orders-service`…). */
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** Which traces are kept: `parentbased_always_on` (default), `parentbased_traceidratio`, `traceidratio`, `always_on`, `always_off`, `parentbased_always_off`. */
  OTEL_TRACES_SAMPLER: Type.Union(
    [
      Type.Literal('parentbased_always_on'),
      Type.Literal('parentbased_always_off'),
      Type.Literal('parentbased_traceidratio'),
      Type.Literal('traceidratio'),
      Type.Literal('always_on'),
      Type.Literal('always_off'),
    ],
    { default: 'parentbased_always_on' },
  ),
  /** The share of traces a `traceidratio` sampler keeps, from 0 to 1 (default 1). */
  OTEL_TRACES_SAMPLER_ARG: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** `true` turns tracing off even when an endpoint is set. */
  OTEL_SDK_DISABLED: Type.Optional(Type.String({ pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' })),
  /** How long finished spans wait before they are sent in one batch, in milliseconds. */
  OTEL_BSP_SCHEDULE_DELAY: Type.Integer({ default: 5_000, minimum: 0, maximum: 600_000 }),
}

export type TelemetrySettings = Static<TObject<typeof telemetrySettings>>

/** Tracing is on when an OTLP endpoint is set and the SDK is not disabled. */
export function tracingConfigured(settings: TelemetrySettings): boolean {
  const endpoint = settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? settings.OTEL_EXPORTER_OTLP_ENDPOINT
  return endpoint !== undefined && settings.OTEL_SDK_DISABLED?.toLowerCase() !== 'true'
}

const Duration = (defaultValue: string) => Type.String({ default: defaultValue, pattern: DURATION_PATTERN })

/**
 * How long each service keeps what it no longer needs, written like `30s`, `15m`, `24h` or `7d`.
 * An inbox row must outlive every redelivery of its message: see `retentionRuleViolation`.
 */
export const retentionSettings = {
  /** Published outbox rows older than this are deleted; unpublished ones are never. */
  OUTBOX_RETENTION: Duration('1d'),
  /** Inbox rows (message ids already handled) older than this are deleted; must exceed the transport's retention. */
  INBOX_RETENTION: Duration('8d'),
  /** Embedded transport only: log messages older than this are deleted, like Kafka's `retention.ms`. */
  LOG_RETENTION: Duration('7d'),
  /** Dead letters replayed longer ago than this are deleted; those never replayed are kept. */
  DEAD_LETTER_RETENTION: Duration('30d'),
  /** How often each instance trims those tables; a row outlives its retention by up to this much. */
  RETENTION_INTERVAL: Duration('1m'),
}

/**
 * The rule that keeps deduplication sound: an inbox row may go only once no redelivery of its
 * message can still arrive. On the embedded log a message lives LOG_RETENTION, so the inbox must
 * keep its ids longer. On Kafka the topic's retention.ms is the broker's to say (see README).
 */
export function retentionRuleViolation(settings: {
  INBOX_RETENTION?: string
  LOG_RETENTION?: string
  KAFKA_BOOTSTRAP_SERVERS?: string | undefined
}): string | undefined {
  const { INBOX_RETENTION: inbox, LOG_RETENTION: log } = settings
  if (inbox === undefined || log === undefined || settings.KAFKA_BOOTSTRAP_SERVERS !== undefined) return
  if (parseDuration(inbox) > parseDuration(log)) return
  return `INBOX_RETENTION (${inbox}) must be longer than LOG_RETENTION (${log}): a message still in the log could be delivered again after its inbox row is gone, and be handled twice`
}

/**
 * The settings every service shares, named as in the seed's `.env`. Each service adds its own.
 * Keep a sentence per variable: it is the documentation operators read.
 */
export const commonSettings = {
  ...httpServerSettings,
  ...telemetrySettings,
  ...retentionSettings,
  ...internalAuthSettings,
  /** pino log level; `LOG_LEVEL=DEBUG` from the seed works too. */
  LOG_LEVEL: LogLevel,
  /** The service's own PostgreSQL database; `postgresql+asyncpg://` URLs from the seed are accepted. */
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?(\\+\\w+)?://', description: 'PostgreSQL URL' }),
  /** Database of the embedded transport's log; defaults to DATABASE_URL.  */
  BROKER_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?(\\+\\w+)?://' })),
  /** Kafka bootstrap servers, `host:port[,host:port]`; when unset the embedded transport is used. */
  KAFKA_BOOTSTRAP_SERVERS: Type.Optional(
    Type.String({ pattern: '^[^,\\s:]+:\\d{1,5}(,[^,\\s:]+:\\d{1,5})*$' }),
  ),
  /** Consumer group of this service; defaults to the service's name. */
  KAFKA_CONSUMER_GROUP: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** Topic of orders-service's events: `order_created`, `order_cancelled`, `refund_requested`. */
  ORDERS_TOPIC: Type.String({ default: DEFAULT_ORDERS_TOPIC, pattern: '^[a-zA-Z0-9._-]{1,200}$' }),
  /** Topic of payments-service's events: `payment_finished`, `refund_finished`. */
  PAYMENT_RESULTS_TOPIC: Type.String({
    default: DEFAULT_PAYMENT_RESULTS_TOPIC,
    pattern: '^[a-zA-Z0-9._-]{1,200}$',
  }),
  /** Partitions of a topic created at start-up; more partitions let more instances share the work. */
  TOPIC_PARTITIONS: Type.Integer({ default: 3, minimum: 1, maximum: 256 }),
  /** The most outbox messages the relay publishes in one transaction and one send to the transport. */
  OUTBOX_BATCH_SIZE: Type.Integer({ default: 1_000, minimum: 1, maximum: 10_000 }),
  /**
   * The most delivered messages a consumer applies in one transaction; 1 applies each in its own,
   * one event at a time (with ORDER_BATCH_WINDOW_MS=0, the order path without batching).
   */
  CONSUMER_BATCH_SIZE: Type.Integer({ default: 1_000, minimum: 1, maximum: 10_000 }),
}

/**
 * Reads settings from the environment (and `.env` in the working directory, which never overrides
 * what the environment already says), applies defaults, and refuses to boot on a bad value,
 * naming every variable at fault.
 */
export function loadConfig<Schema extends TObject>(
  schema: Schema,
  env: NodeJS.ProcessEnv = readEnv(),
): Static<Schema> {
  const input: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const raw = env[key]
    if (raw !== undefined && raw !== '') input[key] = key === 'LOG_LEVEL' ? raw.toLowerCase() : raw
  }
  // Convert would truncate "1.5" to 1 for an integer setting; a fraction there is a mistake to report.
  const fractions = new Set<string>()
  for (const [key, property] of Object.entries(schema.properties) as [string, TSchema][]) {
    const raw = input[key]
    if (
      (property as { type?: string }).type === 'integer' &&
      typeof raw === 'string' &&
      !/^-?\d+$/.test(raw.trim())
    ) {
      fractions.add(key)
    }
  }
  // Default and Convert change their argument: keep what was given for the checks and messages.
  const given = { ...input }
  const converted = Value.Convert(schema, Value.Default(schema, input)) as Record<string, unknown>
  const value = { ...converted, ...Object.fromEntries([...fractions].map((key) => [key, given[key]])) }
  if (Value.Check(schema, value)) {
    const violation = retentionRuleViolation(value)
    if (violation) throw new ConfigError(`Invalid configuration:\n  ${violation}`)
    return value as Static<Schema>
  }

  // Checked one variable at a time, so the message names every variable at fault, not just the first.
  const required = new Set(schema.required ?? [])
  const problems = Object.entries(schema.properties).flatMap(([key, property]: [string, TSchema]) => {
    if (value[key] === undefined) return required.has(key) ? [`${key}: is required`] : []
    if (Value.Check(property, value[key])) return []
    return [`${key}: ${expectation(property, value[key])} (got ${JSON.stringify(given[key])})`]
  })
  throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`)
}

function expectation(property: TSchema, actual: unknown): string {
  const choices = (property as { anyOf?: { const?: unknown }[] }).anyOf?.map((choice) => choice.const)
  if (choices?.every((choice) => choice !== undefined)) return `must be one of ${choices.join(', ')}`
  return Value.Errors(property, actual)[0]?.message ?? 'is invalid'
}

function readEnv(): NodeJS.ProcessEnv {
  if (existsSync('.env')) process.loadEnvFile('.env')
  return process.env
}

/** For a process's entry point: the config, or a message naming what is wrong and exit code 2. */
export function loadConfigOrExit<Schema extends TObject>(service: string, schema: Schema): Static<Schema> {
  try {
    return loadConfig(schema)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`${service}: ${error.message}`)
    process.exit(2)
  }
}
