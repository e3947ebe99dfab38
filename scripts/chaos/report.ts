/** Turns a chaos run into the figures the issue asks for: as text for the console, as Markdown for the docs. */
import { groupBy } from './check.ts'
import type { ChaosResult } from './scenario.ts'
import type { Incarnation } from './supervisor.ts'
import { seconds } from './util.ts'

export interface Section {
  title: string
  rows: [string, string][]
}

const orNever = (ms: number | undefined) => (ms === undefined ? 'never' : `${seconds(ms)} s`)

export function figuresOf(result: ChaosResult): Section[] {
  const { snapshot, reconciliation: r, load, faults, incarnations, settlement } = result
  const status = (wanted: string) => snapshot.orders.filter((order) => order.status === wanted)
  const cancelled = groupBy(status('CANCELLED'), (order) => order.reason ?? '?')
  const reasons = [...cancelled].map(([reason, orders]) => `${reason} ${orders.length}`).join(', ')
  const all: Incarnation[] = [...incarnations['orders-service'], ...incarnations['payments-service']]
  const kills = (target: string) => faults.filter((fault) => fault.kind === 'kill' && fault.target === target)
  const crashes = all.filter((each) => each.cause === 'crash-point')
  const crashesAt = (point: string) => {
    const at = crashes.filter((each) => each.crashPoint === point)
    const by = (service: string) => at.filter((each) => each.logFile.includes(`/${service}.`)).length
    return `${at.length} (orders-service ${by('orders-service')}, payments-service ${by('payments-service')})`
  }
  const restarts = (kind: string) => faults.filter((fault) => fault.kind === kind)
  const downtime = (kind: string) =>
    restarts(kind)
      .map((fault) => `${seconds(fault.recoveredAt - fault.at)} s`)
      .join(', ')
  const published = (rows: { published: boolean }[]) =>
    `${rows.filter((row) => row.published).length} / ${rows.length}`
  const topic = (index: number) => {
    const audit = result.audit[index]
    return audit ? `${audit.messages} / ${audit.events} / ${audit.extraCopies}` : 'not read'
  }
  const logged = result.logged
  const skipped = logged['orders-service'].duplicates + logged['payments-service'].duplicates
  const embedded = result.options.transport === 'embedded'
  return [
    {
      title: 'Load',
      rows: [
        ['users (accounts)', `${load.users.length}`],
        ['orders placed (rows in orders.orders)', `${snapshot.orders.length}`],
        ['  answered 201', `${r.ordersAnswered}`],
        [
          '  unanswered (5xx or no answer), created anyway',
          `${r.unknownOrdersCreated} of ${r.ordersUnknown}`,
        ],
        ['  refused (4xx)', `${r.ordersRefused}`],
        ['orders FINISHED', `${status('FINISHED').length}`],
        ['orders CANCELLED', `${status('CANCELLED').length} (${reasons || 'none'})`],
        ['top-ups applied (ledger)', `${snapshot.ledger.filter((entry) => entry.kind === 'top_up').length}`],
        [
          '  answered 200 / unanswered but applied',
          `${r.topUpsAnswered} / ${r.unknownTopUpsApplied} of ${r.topUpsUnknown}`,
        ],
        [
          'Idempotency-Key sent (orders, top-ups)',
          `${load.idempotency.orders ? 'yes' : 'no'}, ${load.idempotency.topUps ? 'yes' : 'no'}`,
        ],
        ['retries / answered from the idempotency record', `${load.retries} / ${r.replayed}`],
        ['load phase', `${seconds(load.endedAt - load.startedAt)} s`],
      ],
    },
    {
      title: 'Faults',
      rows: [
        [
          'SIGKILL orders-service (restarted armed)',
          `${kills('orders-service').length} (${kills('orders-service').filter((f) => f.armedNext).length})`,
        ],
        [
          'SIGKILL payments-service (restarted armed)',
          `${kills('payments-service').length} (${kills('payments-service').filter((f) => f.armedNext).length})`,
        ],
        ['crash-point deaths (SIGKILL not sent by the suite)', `${crashes.length}`],
        ['  relay.after_publish', crashesAt('relay.after_publish')],
        ['  consumer.after_commit', crashesAt('consumer.after_commit')],
        [
          'service processes started (orders, payments)',
          `${incarnations['orders-service'].length}, ${incarnations['payments-service'].length}`,
        ],
        ['  spawn → /health answering, median / max', startTimes(all)],
        [
          '  of which failed to start (retried)',
          `${all.filter((each) => each.cause === 'start-failed').length}`,
        ],
        ['  exited unexpectedly', `${all.filter((each) => each.cause === 'unexpected').length}`],
        [
          'PostgreSQL restarts (down for)',
          `${restarts('postgres-restart').length} (${downtime('postgres-restart')})`,
        ],
        [
          'broker restarts (down for)',
          embedded
            ? `${restarts('postgres-restart').length} (the embedded broker is PostgreSQL)`
            : `${restarts('broker-restart').length} (${downtime('broker-restart')})`,
        ],
      ],
    },
    {
      title: 'Recovery',
      rows: [
        ['last fault → every order final', orNever(settlement.settledMs)],
        [
          'all processes back up → every order final',
          orNever(
            settlement.settledMs === undefined
              ? undefined
              : Math.max(0, settlement.settledMs - (settlement.lastRecoveryAt - settlement.lastFaultAt)),
          ),
        ],
        ['last fault → both outboxes marked published', orNever(settlement.outboxesDrainedMs)],
      ],
    },
    {
      title: 'Messaging',
      rows: [
        ['orders outbox rows published / total', published(snapshot.outbox.orders)],
        ['payments outbox rows published / total', published(snapshot.outbox.payments)],
        [
          `trimmed by retention (${result.options.retention}): outboxes / inboxes / log`,
          `${result.trimmed.ordersOutbox + result.trimmed.paymentsOutbox} / ${result.trimmed.ordersInbox + result.trimmed.paymentsInbox} / ${result.trimmed.log}`,
        ],
        ['order_created in the log: messages / events / extra copies', topic(0)],
        ['payment_finished in the log: messages / events / extra copies', topic(1)],
        ['duplicate deliveries skipped by the inbox (service logs)', `${skipped}`],
        ['  by payments-service (order_created)', `${logged['payments-service'].duplicates}`],
        ['  by orders-service (payment_finished)', `${logged['orders-service'].duplicates}`],
        ['  as /metrics reported before each death (lower bound)', `${result.scrapedDuplicates}`],
        [
          'dead letters (orders, payments)',
          `${snapshot.deadLetters.orders}, ${snapshot.deadLetters.payments}`,
        ],
        [
          'error log lines (orders, payments)',
          `${logged['orders-service'].errors}, ${logged['payments-service'].errors}`,
        ],
      ],
    },
  ]
}

function startTimes(incarnations: Incarnation[]): string {
  const times = incarnations
    .flatMap((each) => (each.healthyAt === undefined ? [] : [each.healthyAt - each.startedAt]))
    .sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]
  return median === undefined ? 'none' : `${seconds(median)} s / ${seconds(times.at(-1) ?? median)} s`
}

export function formatReport(result: ChaosResult): string {
  const lines = [
    `Chaos run on the ${result.options.transport} transport, ${result.options.retention} retention (${seconds(result.durationMs)} s)`,
  ]
  for (const section of figuresOf(result)) {
    lines.push(`  ${section.title}`)
    for (const [label, value] of section.rows) lines.push(`    ${label.padEnd(62)} ${value}`)
  }
  lines.push('  Invariants')
  for (const each of result.checks) {
    lines.push(`    ${each.ok ? 'PASS' : 'FAIL'}  ${each.name}`)
    lines.push(`          ${each.detail}`)
    for (const evidence of each.evidence) lines.push(`          ! ${evidence}`)
  }
  lines.push(`  ${result.ok ? 'ALL INVARIANTS HOLD' : 'INVARIANTS VIOLATED'}`)
  return lines.join('\n')
}

/** The figures of several runs side by side, one column per transport. */
export function markdownReport(results: ChaosResult[]): string {
  const sections = results.map(figuresOf)
  const header = `| | ${results.map((result) => result.options.transport).join(' | ')} |`
  const rule = `|---|${results.map(() => '---').join('|')}|`
  const lines = [header, rule]
  for (const [index, section] of (sections[0] ?? []).entries()) {
    lines.push(`| **${section.title}** | ${results.map(() => '').join(' | ')} |`)
    for (const [row, [label]] of section.rows.entries()) {
      const values = sections.map((each) => each[index]?.rows[row]?.[1] ?? '')
      lines.push(`| ${label.replace(/^ {2}/, '… ')} | ${values.join(' | ')} |`)
    }
  }
  lines.push(`| **Invariants** | ${results.map(() => '').join(' | ')} |`)
  for (const [index, each] of (results[0]?.checks ?? []).entries()) {
    const verdicts = results.map((result) => (result.checks[index]?.ok ? 'pass' : '**FAIL**'))
    lines.push(`| ${each.name} | ${verdicts.join(' | ')} |`)
  }
  return lines.join('\n')
}
