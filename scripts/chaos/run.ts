/**
 * `npm run chaos`: the fault-injection suite against real processes. By default a full run on the
 * embedded transport, then one on Kafka: at least 2,000 orders from 60 users with top-ups, while
 * orders-service and payments-service are SIGKILLed again and again (also at their crash points),
 * PostgreSQL and the broker are restarted; then the invariants are checked and the figures
 * printed. Exits non-zero when an invariant fails or a run could not be made.
 *
 *   node scripts/chaos/run.ts [--transport embedded|kafka|both] [--short] [--keep]
 *                             [--retention default|aggressive] [--json FILE] [--markdown FILE]
 *
 * `--retention aggressive` runs the services with retention windows of seconds, so outbox, inbox
 * and log rows are trimmed while the faults run.
 */
import { writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { describeMachine, kafkaUnavailable } from './machine.ts'
import { fullRun, type RetentionName, shortRun, type TransportName } from './options.ts'
import { formatReport, markdownReport } from './report.ts'
import { type ChaosResult, killAllServices, runChaosScenario } from './scenario.ts'

const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'both' },
    short: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    retention: { type: 'string', default: 'default' },
    json: { type: 'string' },
    markdown: { type: 'string' },
  },
})

const transports: TransportName[] =
  values.transport === 'both' ? ['embedded', 'kafka'] : [values.transport as TransportName]
if (!transports.every((transport) => transport === 'embedded' || transport === 'kafka')) {
  console.error(`--transport must be embedded, kafka or both (got ${values.transport})`)
  process.exit(2)
}

if (values.retention !== 'default' && values.retention !== 'aggressive') {
  console.error(`--retention must be default or aggressive (got ${values.retention})`)
  process.exit(2)
}
const retention: RetentionName = values.retention

process.once('SIGINT', () => {
  console.error('interrupted: stopping every process')
  killAllServices()
  setTimeout(() => process.exit(130), 10_000).unref()
})

const machine = describeMachine()
const started = new Date()
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`)
log(
  `chaos ${values.short ? 'short' : 'full'} run on ${transports.join(' and ')}, ${retention} retention; ` +
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.ramGiB} GiB RAM, Node ${machine.node}`,
)

// Other work on the machine slows restarts down: the load average is part of the record.
const loadAverages: number[] = []
const sampler = setInterval(() => loadAverages.push(loadavg()[0] ?? 0), 10_000)
sampler.unref()

const results: ChaosResult[] = []
const problems: string[] = []
for (const transport of transports) {
  const unavailable = transport === 'kafka' ? kafkaUnavailable() : undefined
  if (unavailable) {
    problems.push(`the Kafka run could not be made: ${unavailable}`)
    continue
  }
  const plan = values.short ? shortRun(transport) : fullRun(transport)
  try {
    const result = await runChaosScenario({ ...plan, retention, keepRunDir: values.keep, log })
    results.push(result)
    console.log(`\n${formatReport(result)}\n`)
    if (!result.ok) problems.push(`invariants violated on ${transport}`)
  } catch (error) {
    problems.push(
      `the ${transport} run failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
    )
  }
}

clearInterval(sampler)
const load = loadAverages.length
  ? `load average (1 min) during the runs: mean ${(loadAverages.reduce((a, b) => a + b, 0) / loadAverages.length).toFixed(1)}, max ${Math.max(...loadAverages).toFixed(1)} on ${machine.cpus} CPUs`
  : ''
if (load) log(load)

if (values.json) {
  const strip = ({ snapshot: _snapshot, load, ...rest }: ChaosResult) => ({
    ...rest,
    load: { ...load, attempts: load.attempts.length },
  })
  await writeFile(
    values.json,
    JSON.stringify({ machine, started, loadAverages, results: results.map(strip) }, null, 2),
  )
}
if (values.markdown && results.length > 0) {
  await writeFile(values.markdown, `${markdownReport(results)}\n`)
}
for (const problem of problems) console.error(`FAILED: ${problem}`)
if (problems.length === 0) log(`every invariant held on ${transports.join(' and ')}`)
process.exit(problems.length === 0 ? 0 : 1)
