export {
  ConfigError,
  commonSettings,
  httpServerSettings,
  internalAuthSettings,
  loadConfig,
  loadConfigOrExit,
  metricsPortOf,
  type TelemetrySettings,
  telemetrySettings,
  tracingConfigured,
} from './config.ts'
export { GroupCommit, type GroupCommitOptions, type SettleBatch } from './db/group-commit.ts'
export { type Listener, listen } from './db/listener.ts'
export { type MigrationSource, migrate, migrationsApplied } from './db/migrate.ts'
export { createPool, normalizeDatabaseUrl } from './db/pool.ts'
export { type PreparedStatement, prepared } from './db/prepared.ts'
export {
  autocommit,
  type Executor,
  inTransaction,
  SingleStatement,
  Transaction,
} from './db/transaction.ts'
export { refusedByDatabase } from './db/transient-errors.ts'
export { AppError, validationFailed } from './errors.ts'
export { createHttpApp, type HttpApp, REQUEST_ID_HEADER } from './http/create-http-app.ts'
export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
  keyedRequestOf,
  type RouteResponse,
  respond,
  respondInTransaction,
} from './http/idempotency.ts'
export { claimKeys, type KeyClaim, type KeyedRequest, recordResponses } from './http/idempotency-keys.ts'
export { INTERNAL_AUTH_HEADER } from './http/internal-auth.ts'
export { noBodyMeansEmptyObject } from './http/optional-body.ts'
export { PROBLEM_CONTENT_TYPE, sendProblem, sendUpgradeRequired } from './http/problem.ts'
export { type Listening, type Served, type ServeSettings, serveHttp } from './http/serve.ts'
export { parseUserId, requireUserId, USER_ID_HEADER } from './http/user-id.ts'
export { parseUserIdQuery, requireUserIdQuery, USER_ID_QUERY_PARAMETER } from './http/user-id-query.ts'
export { refuseWebSocketHandshake } from './http/websocket-handshake.ts'
export { keepWebSocketAlive } from './http/websocket-heartbeat.ts'
export { type HttpRuntime, type HttpServiceDefinition, runHttpService } from './http-service.ts'
export { createLogger, type Logger } from './logger.ts'
export {
  type DeadLetter,
  listDeadLetters,
  replayDeadLetters,
  storeDeadLetter,
} from './messaging/dead-letters.ts'
export {
  type ConsumerStats,
  type EventConsumer,
  type HandledEvent,
  type MessageContext,
  startEventConsumer,
} from './messaging/event-consumer.ts'
export { recordInInbox } from './messaging/inbox.ts'
export { type ConsumeOutcome, ServiceMetrics } from './metrics.ts'
export { fromMinorUnits, minorUnitsAsDecimal, toMinorUnits } from './money.ts'
export {
  appendToOutbox,
  messagingMigrations,
  type OutboxMessage,
  outboxMessage,
  writeWithOutbox,
} from './outbox/outbox.ts'
export { OutboxRelay } from './outbox/relay.ts'
export { type Closable, closeOnSignals } from './runtime.ts'
export { type ConsumerDeps, runService, type ServiceDefinition, type ServiceRuntime } from './service.ts'
export { startTracing } from './telemetry/start-tracing.ts'
export { continueTrace, forwardTrace, TRACEPARENT_HEADER, type TraceContext } from './tracing.ts'
export { createTransport } from './transport/create-transport.ts'
export { createEmbeddedTransport } from './transport/embedded/embedded-transport.ts'
export type {
  BatchHandler,
  DeliveredMessage,
  OutgoingMessage,
  Subscription,
  Transport,
} from './transport/port.ts'
export { backoffMs, sleep, Wakeup } from './wakeup.ts'
