/**
 * The fault schedule: while the load runs, every few seconds one fault, one at a time: SIGKILL
 * orders-service or payments-service in turn (restarted after a short pause, sometimes with its
 * crash points armed), and at set points of the load PostgreSQL or the Kafka broker is stopped and
 * started again. When the load is done, every incarnation still armed is killed once more and
 * restarted disarmed, so nothing can crash after the last fault.
 */
import type { ChaosKafka, ChaosPostgres } from './infra.ts'
import type { FaultPlan } from './options.ts'
import type { ServiceSupervisor } from './supervisor.ts'
import { between, chance, sleep } from './util.ts'

export interface FaultEvent {
  kind: 'kill' | 'postgres-restart' | 'broker-restart'
  target: string
  /** When the fault was injected (SIGKILL sent, or the stop began). */
  at: number
  /** When the target was serving again. */
  recoveredAt: number
  /** Whether the restarted service came up with its crash points armed. */
  armedNext?: boolean
  /** One of the kills after the load that leave no incarnation armed. */
  disarming?: boolean
}

export interface FaultContext {
  plan: FaultPlan
  /** The services to kill, in turn. */
  services: ServiceSupervisor[]
  postgres: ChaosPostgres
  kafka: ChaosKafka | undefined
  load: { readonly progress: number; readonly finished: boolean }
  /** No fault is started after this. */
  deadline: number
  log: (line: string) => void
}

export async function injectFaults(context: FaultContext): Promise<FaultEvent[]> {
  const { plan, services, log } = context
  const events: FaultEvent[] = []
  const postgresDue = [...plan.postgresRestartsAt]
  const brokerDue = context.kafka ? [...plan.brokerRestartsAt] : []
  let kills = 0
  const due = (at: number | undefined) =>
    at !== undefined && (at <= context.load.progress || context.load.finished)

  while (Date.now() < context.deadline) {
    const allDone = postgresDue.length === 0 && brokerDue.length === 0 && kills >= plan.minKills
    if (context.load.finished && allDone) break
    await sleep(between(...plan.everyMs))
    if (due(postgresDue[0])) {
      postgresDue.shift()
      const outage = await context.postgres.restart(plan.postgresDownMs)
      events.push({
        kind: 'postgres-restart',
        target: 'postgresql',
        at: outage.stoppedAt,
        recoveredAt: outage.startedAt,
      })
      log(`fault: PostgreSQL restarted (down ${outage.startedAt - outage.stoppedAt} ms)`)
    } else if (due(brokerDue[0]) && context.kafka) {
      brokerDue.shift()
      const outage = await context.kafka.restart(plan.brokerDownMs)
      events.push({
        kind: 'broker-restart',
        target: 'kafka',
        at: outage.stoppedAt,
        recoveredAt: outage.startedAt,
      })
      log(`fault: Kafka broker restarted (down ${outage.startedAt - outage.stoppedAt} ms)`)
    } else if (!context.load.finished || kills < plan.minKills) {
      const service = services[kills % services.length] as ServiceSupervisor
      const armNext = chance(plan.armShare)
      const event = await kill(service, between(...plan.downMs), armNext)
      if (event) {
        kills += 1
        events.push(event)
        log(
          `fault: SIGKILL ${service.name}; back after ${event.recoveredAt - event.at} ms${armNext ? ', armed' : ''}`,
        )
      }
    }
  }

  for (const service of services) {
    if (!service.armed) continue
    const event = await kill(service, 500, false)
    if (event) events.push({ ...event, disarming: true })
    log(`fault: SIGKILL ${service.name} to disarm its crash points`)
  }
  await Promise.all(services.map((service) => service.idle()))
  return events
}

async function kill(
  service: ServiceSupervisor,
  downMs: number,
  armNext: boolean,
): Promise<FaultEvent | undefined> {
  const at = Date.now()
  if (!(await service.kill(downMs, armNext))) return undefined
  return { kind: 'kill', target: service.name, at, recoveredAt: Date.now(), armedNext: armNext }
}
