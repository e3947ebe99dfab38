import { describe, expect, inject, it } from 'vitest'
import { type RetentionName, shortRun, type TransportName } from '../../scripts/chaos/options.ts'
import { formatReport } from '../../scripts/chaos/report.ts'
import { runChaosScenario } from '../../scripts/chaos/scenario.ts'

/**
 * The short form of `npm run chaos`, for CI: 300 orders from 15 users with top-ups while both
 * services are SIGKILLed (also at their crash points) and PostgreSQL (and on Kafka the broker) is
 * restarted; then every invariant must hold. Each run starts its own PostgreSQL and broker, since
 * it restarts them. Each transport runs once more with retention windows of seconds, so history
 * is trimmed while the faults run. Set CHAOS_VERBOSE=1 to follow the faults as they happen.
 */
const RUN_TIMEOUT_MS = 420_000

async function chaos(transport: TransportName, retention: RetentionName = 'default') {
  const log = process.env.CHAOS_VERBOSE ? (line: string) => console.log(line) : () => {}
  const result = await runChaosScenario({ ...shortRun(transport), retention, keepRunDir: false, log })
  console.log(formatReport(result))
  return result
}

describe('the shop under faults (short chaos run)', () => {
  it(
    'when services are SIGKILLed and PostgreSQL restarts on the embedded transport, then every invariant holds',
    async () => {
      const result = await chaos('embedded')
      expect(result.checks.filter((check) => !check.ok)).toEqual([])
    },
    RUN_TIMEOUT_MS,
  )

  it(
    'when retention trims outbox, inbox and log within seconds while the faults run on the embedded transport, then every invariant holds',
    async () => {
      const result = await chaos('embedded', 'aggressive')
      expect(result.checks.filter((check) => !check.ok)).toEqual([])
    },
    RUN_TIMEOUT_MS,
  )

  // Where the Kafka suites run at all (the global setup started a broker), this runs on a broker of its own.
  it.skipIf(!inject('kafkaBootstrap'))(
    'when services are SIGKILLed, PostgreSQL and the Kafka broker restart, then every invariant holds',
    async () => {
      const result = await chaos('kafka')
      expect(result.checks.filter((check) => !check.ok)).toEqual([])
    },
    RUN_TIMEOUT_MS,
  )

  it.skipIf(!inject('kafkaBootstrap'))(
    'when retention trims outbox and inbox within seconds while the faults run on Kafka, then every invariant holds',
    async () => {
      const result = await chaos('kafka', 'aggressive')
      expect(result.checks.filter((check) => !check.ok)).toEqual([])
    },
    RUN_TIMEOUT_MS,
  )
})
