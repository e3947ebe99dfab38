/**
 * Checks of the run itself rather than of the shop's data: it was as big as promised, the faults
 * it claims happened, and no process died in a way nobody caused.
 */
import { type Check, check } from './check.ts'
import type { FaultEvent } from './faults.ts'
import type { LoadResult } from './load-driver.ts'
import type { ChaosOptions } from './options.ts'
import type { Snapshot } from './snapshot.ts'
import type { Incarnation } from './supervisor.ts'

export function checkConduct(input: {
  options: Pick<ChaosOptions, 'transport' | 'load' | 'faults'>
  load: LoadResult
  snapshot: Snapshot
  faults: FaultEvent[]
  incarnations: Incarnation[]
  supervisorFailures: string[]
}): Check[] {
  const { options, load, snapshot, faults, incarnations } = input
  const size: string[] = []
  const answered = load.attempts.filter(
    (attempt) => attempt.kind === 'order' && attempt.outcome === 'ok',
  ).length
  if (answered < options.load.orders) size.push(`${answered} orders accepted, ${options.load.orders} wanted`)
  const users = new Set(snapshot.orders.map((order) => order.userId)).size
  if (users < options.load.users) size.push(`orders from ${users} users, ${options.load.users} wanted`)
  if (!snapshot.ledger.some((entry) => entry.kind === 'top_up')) size.push('no top-up was applied')

  const faulted: string[] = []
  const kills = faults.filter((fault) => fault.kind === 'kill').length
  if (kills < options.faults.minKills)
    faulted.push(`${kills} SIGKILLs, at least ${options.faults.minKills} planned`)
  const restarts = (kind: FaultEvent['kind']) => faults.filter((fault) => fault.kind === kind).length
  if (restarts('postgres-restart') < options.faults.postgresRestartsAt.length)
    faulted.push('a PostgreSQL restart is missing')
  if (options.transport === 'kafka' && restarts('broker-restart') < options.faults.brokerRestartsAt.length) {
    faulted.push('a broker restart is missing')
  }
  const crashes = incarnations.filter((incarnation) => incarnation.cause === 'crash-point').length
  if (options.faults.armAtStart && crashes === 0) faulted.push('no process died at a crash point')

  const health = [...input.supervisorFailures]
  for (const incarnation of incarnations.filter((each) => each.cause === 'unexpected')) {
    const name = incarnation.logFile.replace(/^.*\/|\.\d+\.log$/g, '')
    health.push(
      `${name} #${incarnation.n} exited by itself (${incarnation.exit}): ${incarnation.lastWords ?? ''}`,
    )
  }
  return [
    check('the load was as large as planned', size, `${answered} orders accepted from ${users} users`),
    check(
      'the planned faults happened',
      faulted,
      `${kills} SIGKILLs, ${crashes} crash-point deaths, ${restarts('postgres-restart')} PostgreSQL and ${restarts('broker-restart')} broker restarts`,
    ),
    check(
      'no service died unless killed, and every restart succeeded',
      health,
      `${incarnations.length} service processes`,
    ),
  ]
}
