/**
 * What a run leaves behind: the console table, the result file, the reference ratio the smoke run
 * compares with, and the generated parts of BENCHMARKS.md (between `<!-- bench:… -->` markers;
 * everything outside them, such as "What each change bought", is left as written).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { REPO_ROOT } from '../../lib/launcher/service-process.ts'
import { type BenchResult, checkTargets, type PhaseResult } from './result.ts'
import { round } from './stats.ts'

export const RESULTS_DIR = join(REPO_ROOT, 'scripts/bench/results')
export const REFERENCE_FILE = join(REPO_ROOT, 'scripts/bench/reference.json')
export const BENCHMARKS_MD = join(REPO_ROOT, 'BENCHMARKS.md')

const PROCESSES = ['api-gateway', 'orders-service', 'payments-service', 'postgres', 'kafka', 'bench'] as const
const SHORT: Record<string, string> = {
  'api-gateway': 'gw',
  'orders-service': 'orders',
  'payments-service': 'payments',
  postgres: 'pg',
  kafka: 'kafka',
  bench: 'bench',
}

/**
 * A result's file name: the UTC minute it was written and its transport, so every run stays.
 * Results are gzip-compressed JSON: a run's full record (every phase's distributions, CPU samples,
 * profiles) is tens of thousands of lines that nobody reads as text; BENCHMARKS.md is their summary,
 * regenerated from them, and `zcat` shows one.
 */
export function resultFileName(
  result: Pick<BenchResult, 'date' | 'transport' | 'mode' | 'profiled'>,
): string {
  const stamp = `${result.date.slice(0, 10)}T${result.date.slice(11, 16).replace(':', '')}`
  const suffix = result.mode === 'smoke' ? '-smoke' : result.profiled ? '-profile' : ''
  return `${stamp}-${result.transport}${suffix}.json.gz`
}

export interface Reference {
  ratio: number
  peakSettledPerSec: number
  peakAcceptedPerSec: number
  ceilingCommitsPerSec: number
  day: string
  result: string
  command: string
}

/**
 * Writes a JSON file as the repository's formatter (Biome, run by `npm run lint`) wants it, so a
 * recorded result never fails CI's lint.
 */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`)
  const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome')
  if (!existsSync(biome)) return
  try {
    execFileSync(biome, ['format', '--write', file], { cwd: REPO_ROOT, stdio: 'ignore' })
  } catch {
    // Unformatted JSON is still valid JSON; lint would say so.
  }
}

/** Writes a run's result, compressed (see resultFileName). */
export async function writeResult(file: string, result: BenchResult): Promise<void> {
  await writeFile(file, gzipSync(`${JSON.stringify(result)}\n`))
}

export async function readResult(file: string): Promise<BenchResult> {
  return JSON.parse(gunzipSync(await readFile(file)).toString('utf8')) as BenchResult
}

export function readReference(): Partial<Record<string, Reference>> {
  if (!existsSync(REFERENCE_FILE)) return {}
  return JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Record<string, Reference>
}

export async function writeReference(transport: string, result: BenchResult): Promise<void> {
  const references = readReference()
  references[transport] = {
    ratio: result.peak.ratio,
    peakSettledPerSec: result.peak.settledPerSec,
    peakAcceptedPerSec: result.peak.acceptedPerSec,
    ceilingCommitsPerSec: result.ceiling.commitsPerSec,
    day: result.day,
    result: `scripts/bench/results/${resultFileName(result)}`,
    command: result.command,
  }
  await writeJson(REFERENCE_FILE, references)
}

const n = (value: number | null | undefined) => (value == null ? '–' : String(value))
const triple = (d: { p50: number | null; p95: number | null; p99: number | null }) =>
  `${n(d.p50)} / ${n(d.p95)} / ${n(d.p99)}`
const pair = (d: { p50: number | null; p99: number | null }) => `${n(d.p50)} / ${n(d.p99)}`
const present = (phase: PhaseResult) => PROCESSES.filter((name) => phase.usage.processes[name])
const cpuOf = (phase: PhaseResult) =>
  present(phase)
    .map((name) => n(phase.usage.processes[name]?.cpuPercent))
    .join(' · ')
const memoryOf = (phase: PhaseResult) =>
  present(phase)
    .map((name) => n(phase.usage.processes[name]?.memoryMb))
    .join(' · ')

/** A fixed-width table for the console. */
export function formatPhaseTable(phases: PhaseResult[], options: { header: boolean }): string {
  const columns: [string, number, (phase: PhaseResult) => string][] = [
    ['phase', 18, (p) => p.name],
    ['offered/s', 9, (p) => (p.targetRate === null ? 'max' : String(p.targetRate))],
    ['accepted/s', 10, (p) => String(p.acceptedPerSec)],
    ['settled/s', 9, (p) => String(p.settledPerSec)],
    ['left', 5, (p) => String(p.unsettled)],
    ['err', 4, (p) => String(p.errors + p.shed)],
    ['settle p50/p95/p99 ms', 24, (p) => triple(p.settleMs)],
    ['http p50/p99 ms', 16, (p) => pair(p.httpMs)],
    ['busy%', 5, (p) => String(p.usage.machine.busyPercent)],
    ['others%', 7, (p) => String(p.usage.machine.othersPercent)],
    [
      `cpu% ${
        phases[0]
          ? present(phases[0])
              .map((name) => SHORT[name])
              .join('·')
          : ''
      }`,
      0,
      cpuOf,
    ],
  ]
  const line = (cells: string[]) =>
    cells.map((cell, index) => cell.padEnd(columns[index]?.[1] ?? 0)).join('  ')
  const rows = phases.map((phase) => line(columns.map(([, , value]) => value(phase))))
  return [...(options.header ? [line(columns.map(([title]) => title))] : []), ...rows].join('\n')
}

export function printTargets(result: BenchResult): void {
  console.log('\ntargets:')
  for (const target of checkTargets(result)) {
    const verdict = target.met === null ? 'n/a ' : target.met ? 'met ' : 'MISSED'
    console.log(`  ${verdict.padEnd(6)} ${target.name} ${target.goal}: ${target.value}`)
  }
}

/** CPU that processes outside the benchmark took during the steps, % of one core: the noise. */
export const noiseOf = (result: BenchResult): number => {
  const phases = result.steps
  if (phases.length === 0) return 0
  return Math.round(phases.reduce((sum, phase) => sum + phase.usage.machine.othersPercent, 0) / phases.length)
}

const machineOf = (result: BenchResult) =>
  `${result.machine.cores} × ${result.machine.cpu}, ${result.machine.memoryGiB} GiB`

function summaryTable(results: BenchResult[]): string {
  const header = [
    'date',
    'transport',
    'machine',
    'ceiling commits/s (as 4 round trips)',
    'peak accepted/s',
    'peak settled/s',
    'floor accepted/s',
    'settled ÷ floor',
    'settled ÷ ceiling (÷ 4 round trips)',
    'other processes, % of a core',
    'settle p50/p95/p99 ms at peak',
    'half-peak rate',
    'settle p50/p95/p99 ms at half',
    'POST /orders p50/p99 ms, gateway',
    'same, direct',
    'gateway overhead p50/p99 ms',
    'accepted/s closed loop, gateway vs direct',
    'command',
  ]
  const rows = results.map((result) => {
    const peak = result.steps.find((step) => step.name === result.peak.step)
    const half = result.halfPeak
    // Until the service wrote an order in one statement, the ceiling was the 4-round-trip transaction.
    const classic = result.ceiling.classicTransaction
    return [
      result.date.slice(0, 16).replace('T', ' '),
      result.transport,
      machineOf(result),
      `${n(result.ceiling.commitsPerSec)} (${classic ? n(classic.commitsPerSec) : 'same'})`,
      n(result.peak.acceptedPerSec),
      n(result.peak.settledPerSec),
      n(result.floor?.acceptedPerSec),
      n(result.peak.floorRatio),
      `${n(result.peak.ratio)} (${classic ? n(round(result.peak.settledPerSec / classic.commitsPerSec, 3)) : 'same'})`,
      String(noiseOf(result)),
      peak ? triple(peak.settleMs) : '–',
      half ? String(half.rate) : '–',
      half ? triple(half.gateway.settleMs) : '–',
      half ? pair(half.gateway.httpMs) : '–',
      half ? pair(half.direct.httpMs) : '–',
      half ? pair(half.gatewayOverheadMs) : '–',
      result.capacity
        ? `${result.capacity.gateway.acceptedPerSec} vs ${result.capacity.direct.acceptedPerSec} (−${result.capacity.gatewayCostPercent}%)`
        : '–',
      `\`${result.command}\``,
    ]
  })
  return markdownTable(header, rows)
}

function markdownTable(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n')
}

function detail(result: BenchResult): string {
  const phases = [
    ...result.steps,
    ...(result.halfPeak ? [result.halfPeak.gateway, result.halfPeak.direct] : []),
    ...(result.capacity ? [result.capacity.gateway, result.capacity.direct] : []),
  ]
  const names = phases[0]
    ? present(phases[0])
        .map((name) => SHORT[name])
        .join(' · ')
    : ''
  const table = markdownTable(
    [
      'phase',
      'to',
      'offered/s',
      'accepted/s',
      'settled/s',
      'unsettled',
      'errors + shed',
      'settle p50/p95/p99 ms',
      'created→settled p50/p99 ms',
      'POST /orders p50/p99 ms',
      `CPU % (${names})`,
      `memory MB (${names})`,
      'machine busy %',
      'other processes CPU %',
      'backlog at the end: outbox / consumer lag (orders · payments)',
    ],
    phases.map((phase) => [
      phase.name,
      phase.target,
      phase.targetRate === null ? `closed loop` : String(phase.targetRate),
      n(phase.acceptedPerSec),
      phase.targetRate === null ? '–' : n(phase.settledPerSec),
      phase.targetRate === null ? '–' : n(phase.unsettled),
      n(phase.errors + phase.shed),
      phase.targetRate === null ? '–' : triple(phase.settleMs),
      phase.targetRate === null ? '–' : pair(phase.createdToSettledMs),
      pair(phase.httpMs),
      cpuOf(phase),
      memoryOf(phase),
      n(phase.usage.machine.busyPercent),
      n(phase.usage.machine.othersPercent),
      phase.backlogAtEnd
        ? ['orders-service', 'payments-service']
            .map(
              (name) =>
                `${n(phase.backlogAtEnd[name]?.outbox)} / ${n(phase.backlogAtEnd[name]?.consumerLag)}`,
            )
            .join(' · ')
        : '–',
    ]),
  )
  const peak = result.steps.find((step) => step.name === result.peak.step)
  const waits = peak
    ? peak.postgres.waits.map((wait) => `${wait.name}: ${wait.avgConnections}`).join('; ')
    : ''
  const commits = peak
    ? Object.entries(peak.postgres.commitsPerSec)
        .map(([database, perSec]) => `${database} ${perSec}/s`)
        .join(', ')
    : ''
  const pgSettings = Object.entries(result.settings.postgres)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ')
  return [
    `### ${result.date.slice(0, 16).replace('T', ' ')} UTC · ${result.transport} transport`,
    '',
    `- command: \`${result.command}\` (${result.durationSeconds} s), at commit ${result.git.commit}${result.git.changedFiles > 0 ? ` with ${result.git.changedFiles} changed files` : ''}`,
    `- machine: ${machineOf(result)}, Linux ${result.machine.kernel}, Node ${result.machine.node}, PostgreSQL ${result.machine.postgres}${result.machine.kafka ? `, Kafka ${result.machine.kafka}` : ''}`,
    `- PostgreSQL: ${pgSettings}`,
    `- noise: processes outside the benchmark used ${noiseOf(result)}% of a core on average during the steps (of ${result.machine.cores * 100}%)`,
    `- load: ${result.settings.connections} keep-alive connections, ${result.settings.users} users, steps of ${result.settings.stepSeconds} s, LOG_LEVEL=${result.settings.logLevel}`,
    `- ceiling: ${result.ceiling.commitsPerSec} commits/s from ${result.ceiling.connections} connections${result.ceiling.classicTransaction ? ` (the same rows as the classic four-round-trip transaction: ${result.ceiling.classicTransaction.commitsPerSec}/s, so settled/s ÷ that = ${round(result.peak.settledPerSec / result.ceiling.classicTransaction.commitsPerSec, 3)})` : ''}${result.ceiling.withoutNotify ? ` (the same transaction without its pg_notify: ${result.ceiling.withoutNotify.commitsPerSec}/s, WAL fsyncs ${n(result.ceiling.withoutNotify.postgres?.walFsyncsPerSec)}/s)` : ''} (transaction p50/p99 ${pair(result.ceiling.transactionMs)} ms; WAL fsyncs ${n(result.ceiling.postgres?.walFsyncsPerSec)}/s; CPU postgres ${n(result.ceiling.usage?.processes.postgres?.cpuPercent)}%, bench ${n(result.ceiling.usage?.processes.bench?.cpuPercent)}%, other processes on the machine ${n(result.ceiling.usage?.machine.othersPercent)}%)`,
    ...(result.floor
      ? [
          `- floor: the accept-only server took ${result.floor.acceptedPerSec} orders/s at ${result.floor.rate} req/s offered (steps of ${result.settings.floorSeconds} s: ${result.floor.steps.map((step) => `${step.rate} → ${step.acceptedPerSec}/s`).join(', ')})`,
        ]
      : []),
    `- peak: ${result.peak.step}, ${result.peak.settledPerSec} settled/s, ${result.peak.floorRatio !== undefined ? `${result.peak.floorRatio} of the floor, ` : ''}${result.peak.ratio} of the ceiling`,
    `- PostgreSQL at the peak: ${n(peak?.postgres.writeTransactionsPerSec)} write transactions/s (${peak?.postgres.writeTransactionsPerSec && result.peak.acceptedPerSec ? round(peak.postgres.writeTransactionsPerSec / result.peak.acceptedPerSec, 1) : '–'} per accepted order), WAL ${n(peak?.postgres.walMbPerSec)} MB/s; busy connections on average: ${waits}; commits by database (approximate, see above): ${commits}; WAL fsyncs ${n(peak?.postgres.walFsyncsPerSec)}/s`,
    ...(result.halfPeak?.hops
      ? [
          `- settlement at half the peak, hop by hop (ms p50 / p95 / p99, lib/hops.ts): ${Object.entries(
            result.halfPeak.hops,
          )
            .map(([hop, figures]) => `${hop} ${figures.p50} / ${figures.p95} / ${figures.p99}`)
            .join('; ')}`,
        ]
      : []),
    `- result file: \`scripts/bench/results/${resultFileName(result)}\``,
    '',
    table,
    '',
    'Targets:',
    '',
    ...checkTargets(result).map(
      (target) =>
        `- ${target.met === null ? 'n/a' : target.met ? 'met' : '**missed**'}: ${target.name} ${target.goal} (${target.value})`,
    ),
  ].join('\n')
}

function targetsTable(results: BenchResult[]): string {
  const names = results[0] ? checkTargets(results[0]).map((target) => `${target.name} ${target.goal}`) : []
  return markdownTable(
    ['run', ...names],
    results.map((result) => [
      `${result.day} ${result.transport}`,
      ...checkTargets(result).map(
        (target) => `${target.met === null ? 'n/a' : target.met ? 'met' : '**missed**'}: ${target.value}`,
      ),
    ]),
  )
}

function profileSection(results: BenchResult[]): string {
  if (results.length === 0) return '_No profiled run yet: `npm run bench -- --profile`._'
  return results
    .map((result) => {
      const services = Object.entries(result.profile ?? {}).filter(([name]) => name !== 'bench')
      return [
        `### ${result.day} · ${result.transport} transport · ${result.peak.step} (${result.peak.settledPerSec} settled/s with profiling on)`,
        '',
        `\`${result.command}\`; self time over the peak step only, as a share of each process's busy time.`,
        '',
        ...services.map(([name, summary]) =>
          [
            `**${name}**: ${summary.busyMs} ms busy in ${summary.windowMs} ms. By package: ${summary.byCategory
              .slice(0, 8)
              .map((entry) => `${entry.name} ${entry.percent}%`)
              .join(
                ', ',
              )}. With native and Node-internal work charged to the package that called it: ${summary.byOwner
              .slice(0, 8)
              .map((entry) => `${entry.name} ${entry.percent}%`)
              .join(', ')}.`,
            '',
            markdownTable(
              ['self %', 'function', 'package'],
              summary.topFunctions
                .slice(0, 10)
                .map((entry) => [String(entry.percent), `\`${entry.name}\``, entry.category]),
            ),
            '',
          ].join('\n'),
        ),
        statementsTable(result),
      ].join('\n')
    })
    .join('\n')
}

/** PostgreSQL's execution time by statement over the peak step, when pg_stat_statements was loaded. */
function statementsTable(result: BenchResult): string {
  const peak = result.steps.find((step) => step.name === result.peak.step)
  const statements = peak?.postgres.statements
  if (!peak || !statements) return ''
  const perSecond = (value: number) => String(round(value / peak.seconds))
  return [
    `**PostgreSQL** (pg_stat_statements over the same step; planning not included): the 12 statements that took the most execution time.`,
    '',
    markdownTable(
      ['ms per s', 'calls per s', 'mean ms', 'database', 'statement'],
      statements
        .slice(0, 12)
        .map((statement) => [
          perSecond(statement.totalMs),
          perSecond(statement.calls),
          String(statement.meanMs),
          statement.database,
          `\`${statement.query.slice(0, 120).replaceAll('|', '\\|')}${statement.query.length > 120 ? '…' : ''}\``,
        ]),
    ),
    '',
  ].join('\n')
}

async function loadResults(): Promise<BenchResult[]> {
  if (!existsSync(RESULTS_DIR)) return []
  const files = (await readdir(RESULTS_DIR)).filter((file) => file.endsWith('.json.gz'))
  const results = await Promise.all(files.map((file) => readResult(join(RESULTS_DIR, file))))
  return results.sort((a, b) => b.date.localeCompare(a.date))
}

function replaceBetween(text: string, marker: string, content: string): string {
  const start = `<!-- bench:${marker}:start -->`
  const end = `<!-- bench:${marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) return `${text.trimEnd()}\n\n${start}\n${content}\n${end}\n`
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`
}

export async function updateBenchmarksMd(): Promise<void> {
  await writeFile(BENCHMARKS_MD, await renderBenchmarksMd())
}

/** BENCHMARKS.md with its generated parts made afresh from the result files. */
export async function renderBenchmarksMd(): Promise<string> {
  const results = await loadResults()
  const full = results.filter((result) => result.mode === 'full' && !result.profiled)
  const latestPerTransport = (list: BenchResult[]) =>
    [...new Map(list.map((result) => [result.transport, result] as const)).values()].sort((a, b) =>
      a.transport.localeCompare(b.transport),
    )
  // A Map keeps the last value set for a key: oldest first leaves the newest run of each transport.
  const oldestFirst = (list: BenchResult[]) => [...list].reverse()
  const latest = latestPerTransport(oldestFirst(full))
  const profiled = latestPerTransport(oldestFirst(results.filter((result) => result.profiled)))

  let text = existsSync(BENCHMARKS_MD) ? await readFile(BENCHMARKS_MD, 'utf8') : TEMPLATE
  text = replaceBetween(text, 'targets', full.length > 0 ? targetsTable(full) : '_No run yet._')
  text = replaceBetween(text, 'runs', full.length > 0 ? summaryTable(full) : '_No run yet._')
  text = replaceBetween(text, 'latest', latest.map(detail).join('\n\n') || '_No run yet._')
  return replaceBetween(text, 'profile', profileSection(profiled))
}

const TEMPLATE = `# Benchmarks

<!-- bench:targets:start -->
<!-- bench:targets:end -->

<!-- bench:runs:start -->
<!-- bench:runs:end -->

<!-- bench:latest:start -->
<!-- bench:latest:end -->

<!-- bench:profile:start -->
<!-- bench:profile:end -->
`
