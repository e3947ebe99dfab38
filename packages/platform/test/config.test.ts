import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, commonSettings, loadConfig, metricsPortOf, tracingConfigured } from '../src/config.ts'

const Schema = Type.Object({
  ...commonSettings,
  PORT: Type.Integer({ default: 8001, minimum: 0, maximum: 65535 }),
})
const seedUrl = 'postgresql+asyncpg://shop:shop_pass@postgres:5432/shopdb'

describe('loadConfig', () => {
  it('when only DATABASE_URL is given, then the seed defaults apply', () => {
    const config = loadConfig(Schema, { DATABASE_URL: seedUrl })
    expect(config).toMatchObject({
      DATABASE_URL: seedUrl,
      ORDERS_TOPIC: 'order_created',
      PAYMENT_RESULTS_TOPIC: 'payment_finished',
      LOG_LEVEL: 'info',
      PORT: 8001,
      TOPIC_PARTITIONS: 3,
    })
  })

  it('when values are strings from the environment, then numbers are converted and LOG_LEVEL=DEBUG works', () => {
    const config = loadConfig(Schema, { DATABASE_URL: seedUrl, PORT: '9000', LOG_LEVEL: 'DEBUG' })
    expect(config.PORT).toBe(9000)
    expect(config.LOG_LEVEL).toBe('debug')
  })

  it('when values are bad or missing, then boot stops with a message naming every variable at fault', () => {
    const load = () => loadConfig(Schema, { PORT: 'eighty', LOG_LEVEL: 'loud', ORDERS_TOPIC: 'bad topic!' })
    expect(load).toThrow(ConfigError)
    const message = (() => {
      try {
        load()
      } catch (error) {
        return (error as Error).message
      }
    })()
    expect(message).toContain('DATABASE_URL')
    expect(message).toContain('PORT')
    expect(message).toContain('"eighty"')
    expect(message).toContain('LOG_LEVEL')
    expect(message).toContain('ORDERS_TOPIC')
  })

  it('when DATABASE_URL is not a PostgreSQL URL, then it is refused', () => {
    expect(() => loadConfig(Schema, { DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/)
  })

  it('when no retention is set, then outbox 1d, inbox 8d, log 7d and dead letters 30d apply', () => {
    expect(loadConfig(Schema, { DATABASE_URL: seedUrl })).toMatchObject({
      OUTBOX_RETENTION: '1d',
      INBOX_RETENTION: '8d',
      LOG_RETENTION: '7d',
      DEAD_LETTER_RETENTION: '30d',
    })
  })

  it.each(['7', '1w', '1.5d', '0h'])('when OUTBOX_RETENTION is %j, then boot stops naming it', (value) => {
    expect(() => loadConfig(Schema, { DATABASE_URL: seedUrl, OUTBOX_RETENTION: value })).toThrow(
      /OUTBOX_RETENTION/,
    )
  })

  it.each([
    ['7d', '7d'],
    ['168h', '7d'],
    ['2d', '3d'],
  ])(
    'when INBOX_RETENTION is %j and LOG_RETENTION %j on the embedded log, then boot stops naming both',
    (inbox, log) => {
      const load = () =>
        loadConfig(Schema, { DATABASE_URL: seedUrl, INBOX_RETENTION: inbox, LOG_RETENTION: log })
      expect(load).toThrow(ConfigError)
      expect(load).toThrow(/INBOX_RETENTION .* LOG_RETENTION/)
    },
  )

  it('when INBOX_RETENTION outlasts LOG_RETENTION, or the transport is Kafka, then boot goes on', () => {
    expect(
      loadConfig(Schema, { DATABASE_URL: seedUrl, INBOX_RETENTION: '169h', LOG_RETENTION: '7d' }),
    ).toMatchObject({ INBOX_RETENTION: '169h' })
    const onKafka = { DATABASE_URL: seedUrl, KAFKA_BOOTSTRAP_SERVERS: 'kafka:9092', INBOX_RETENTION: '1d' }
    expect(loadConfig(Schema, onKafka).LOG_RETENTION).toBe('7d')
  })

  it.each(['kafka', 'kafka:port', 'http://kafka:9092', 'a:1,,b:2', 'a:1 b:2'])(
    'when KAFKA_BOOTSTRAP_SERVERS is %j, then boot stops naming it',
    (servers) => {
      expect(() => loadConfig(Schema, { DATABASE_URL: seedUrl, KAFKA_BOOTSTRAP_SERVERS: servers })).toThrow(
        /KAFKA_BOOTSTRAP_SERVERS/,
      )
    },
  )

  it('when KAFKA_BOOTSTRAP_SERVERS lists brokers, then they are taken as given', () => {
    const config = loadConfig(Schema, {
      DATABASE_URL: seedUrl,
      KAFKA_BOOTSTRAP_SERVERS: 'kafka-1:9092,kafka-2:9093',
    })
    expect(config.KAFKA_BOOTSTRAP_SERVERS).toBe('kafka-1:9092,kafka-2:9093')
  })

  it('when TOPIC_PARTITIONS is out of range, then boot stops naming it', () => {
    expect(() => loadConfig(Schema, { DATABASE_URL: seedUrl, TOPIC_PARTITIONS: '0' })).toThrow(
      /TOPIC_PARTITIONS/,
    )
  })

  it('when OUTBOX_BATCH_SIZE is not given, then the relay publishes up to 1000 messages a batch; 0 is refused', () => {
    expect(loadConfig(Schema, { DATABASE_URL: seedUrl }).OUTBOX_BATCH_SIZE).toBe(1_000)
    expect(loadConfig(Schema, { DATABASE_URL: seedUrl, OUTBOX_BATCH_SIZE: '5000' }).OUTBOX_BATCH_SIZE).toBe(
      5_000,
    )
    expect(() => loadConfig(Schema, { DATABASE_URL: seedUrl, OUTBOX_BATCH_SIZE: '0' })).toThrow(
      /OUTBOX_BATCH_SIZE/,
    )
  })

  it('when an integer setting has a fraction, then boot stops instead of truncating it', () => {
    expect(() => loadConfig(Schema, { DATABASE_URL: seedUrl, PORT: '8001.5' })).toThrow(/PORT: .*"8001.5"/)
  })

  it('when no HTTP bound is given, then every one has a finite default and metrics stay on loopback', () => {
    const config = loadConfig(Schema, { DATABASE_URL: seedUrl })
    expect(config).toMatchObject({
      HEADERS_TIMEOUT_MS: 10_000,
      REQUEST_TIMEOUT_MS: 30_000,
      KEEP_ALIVE_TIMEOUT_MS: 5_000,
      MAX_CONNECTIONS: 1_000,
      METRICS_HOST: '127.0.0.1',
    })
    expect(config.METRICS_PORT).toBeUndefined()
  })

  it.each([
    ['REQUEST_TIMEOUT_MS', '0'],
    ['HEADERS_TIMEOUT_MS', '-1'],
    ['KEEP_ALIVE_TIMEOUT_MS', '500'],
    ['MAX_CONNECTIONS', '0'],
    ['METRICS_PORT', '70000'],
  ])('when %s is %s, then boot stops naming it (no bound can be turned off)', (name, value) => {
    expect(() => loadConfig(Schema, { DATABASE_URL: seedUrl, [name]: value })).toThrow(new RegExp(name))
  })
})

describe('metricsPortOf', () => {
  it.each([
    [{ PORT: 8001 }, 8101],
    [{ PORT: 8001, METRICS_PORT: 9464 }, 9464],
    [{ PORT: 0 }, 0],
  ])('when the settings are %j, then metrics are served on %d', (settings, port) => {
    expect(metricsPortOf(settings)).toBe(port)
  })

  it('when PORT + 100 is not a port, then METRICS_PORT must be given', () => {
    expect(() => metricsPortOf({ PORT: 65500 })).toThrow(/METRICS_PORT/)
  })
})

describe('the OpenTelemetry settings', () => {
  const load = (env: Record<string, string>) => loadConfig(Schema, { DATABASE_URL: seedUrl, ...env })

  it('when none is given, then tracing is off, with the standard defaults ready', () => {
    const config = load({})
    expect(tracingConfigured(config)).toBe(false)
    expect(config).toMatchObject({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_BSP_SCHEDULE_DELAY: 5000,
    })
  })

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }, true],
    [{ OTEL_SERVICE_NAME: 'shop', OTEL_TRACES_SAMPLER: 'always_on' }, false],
  ])('when the environment is %j, then tracing on is %s', (env, on) => {
    expect(tracingConfigured(load(env))).toBe(on)
  })

  it.each([
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_TRACES_SAMPLER', 'jaeger_remote'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_SDK_DISABLED', 'yes'],
  ])('when %s is %s, then boot stops naming it', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(new RegExp(name))
  })
})
