/** What one chaos run does: how much load, which faults, how long each may take. */

export type TransportName = 'embedded' | 'kafka'

export interface FaultPlan {
  /** Pause between two faults, drawn from [min, max] ms. */
  everyMs: [number, number]
  /** How long a killed service stays down before it is started again, [min, max] ms. */
  downMs: [number, number]
  /** SHOP_CRASH_POINTS of an armed incarnation. */
  crashPoints: string
  /** Share of restarts that come up with the crash points armed. */
  armShare: number
  /** Whether the first incarnation of each service starts armed. */
  armAtStart: boolean
  /** Load progress (0..1) at which PostgreSQL is stopped and started again. */
  postgresRestartsAt: number[]
  /** Load progress at which the Kafka broker is stopped and started again (Kafka only). */
  brokerRestartsAt: number[]
  postgresDownMs: number
  brokerDownMs: number
  /** Planned SIGKILLs to reach even when the load finishes first. */
  minKills: number
}

export interface LoadPlan {
  users: number
  /** Orders that must be accepted (201) before the load stops. */
  orders: number
  /** Share of operations that are top-ups. */
  topUpShare: number
  concurrency: number
  opsPerSecond: number
  /** Hard bound on the load phase. */
  maxMs: number
}

/**
 * `default`: the services' own retention settings (days), so nothing is trimmed during a run.
 * `aggressive`: windows of seconds, so retention deletes outbox, inbox and log rows while the
 * faults run (see AGGRESSIVE_RETENTION).
 */
export type RetentionName = 'default' | 'aggressive'

/**
 * Short enough that most of a run's history is trimmed while faults run; long enough that no
 * message leaves the log before its consumer read it (a consumer down through a PostgreSQL
 * restart lags by seconds, not by LOG_RETENTION). INBOX_RETENTION outlasts LOG_RETENTION, as boot
 * demands on the embedded log; on Kafka the topics keep messages for days, so there a redelivery
 * after a trim is caught by the business keys alone.
 */
export const AGGRESSIVE_RETENTION = {
  OUTBOX_RETENTION: '5s',
  LOG_RETENTION: '15s',
  INBOX_RETENTION: '20s',
  RETENTION_INTERVAL: '1s',
}

export interface ChaosOptions {
  transport: TransportName
  retention: RetentionName
  load: LoadPlan
  faults: FaultPlan
  /** Every order must be final within this long after the last fault. */
  settleLimitMs: number
  /** Service log level; `debug` is needed to count skipped duplicates from the logs. */
  logLevel: string
  /** Keep the run directory (logs, data) instead of deleting it. */
  keepRunDir: boolean
  log: (line: string) => void
}

const CRASH_POINTS = 'relay.after_publish=0.05,consumer.after_commit=0.05'

export function fullRun(transport: TransportName): Omit<ChaosOptions, 'log' | 'keepRunDir'> {
  return {
    transport,
    retention: 'default',
    load: { users: 60, orders: 2_000, topUpShare: 0.2, concurrency: 16, opsPerSecond: 25, maxMs: 900_000 },
    faults: {
      everyMs: [4_000, 7_000],
      downMs: [500, 2_000],
      crashPoints: CRASH_POINTS,
      armShare: 0.5,
      armAtStart: true,
      // On the embedded transport the broker is PostgreSQL: restarting it twice restarts both.
      postgresRestartsAt: transport === 'kafka' ? [0.35] : [0.3, 0.7],
      brokerRestartsAt: transport === 'kafka' ? [0.7] : [],
      postgresDownMs: 3_000,
      brokerDownMs: 3_000,
      minKills: 10,
    },
    settleLimitMs: 60_000,
    logLevel: 'debug',
  }
}

/** The CI form: the same faults, fewer orders, done in about a minute per transport. */
export function shortRun(transport: TransportName): Omit<ChaosOptions, 'log' | 'keepRunDir'> {
  const full = fullRun(transport)
  return {
    ...full,
    load: { users: 15, orders: 300, topUpShare: 0.2, concurrency: 12, opsPerSecond: 25, maxMs: 240_000 },
    faults: {
      ...full.faults,
      everyMs: [3_500, 5_000],
      downMs: [300, 1_000],
      postgresRestartsAt: transport === 'kafka' ? [0.3] : [0.5],
      brokerRestartsAt: transport === 'kafka' ? [0.65] : [],
      postgresDownMs: 2_000,
      brokerDownMs: 2_000,
      minKills: 4,
    },
  }
}
