import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { REPO_ROOT } from '../lib/launcher/service-process.ts'

const REQUIREMENTS = fileURLToPath(new URL('./requirements.txt', import.meta.url))
/** Written last: a virtual environment without it was left half installed. */
const COMPLETE_MARKER = '.installed'

/**
 * The schemathesis command of a Python virtual environment under `.cache/schemathesis/`, made (once
 * per version of requirements.txt, whose pins it installs) when it is missing.
 */
export function ensureSchemathesis(log: (line: string) => void): string {
  const requirements = readFileSync(REQUIREMENTS)
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, 16)
  const venv = join(REPO_ROOT, '.cache', 'schemathesis', `venv-${hash}`)
  const command = join(venv, 'bin', 'schemathesis')
  if (existsSync(join(venv, COMPLETE_MARKER))) return command

  log(`installing schemathesis into ${venv} (once)…`)
  // A virtual environment cannot be moved once made: make it in place, after clearing a broken one.
  rmSync(venv, { recursive: true, force: true })
  run(
    'python3',
    ['-m', 'venv', venv],
    'python3 -m venv failed: install Python 3 with venv (Debian: apt-get install python3-venv)',
  )
  run(
    join(venv, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', REQUIREMENTS],
    'pip could not install requirements.txt',
  )
  writeFileSync(join(venv, COMPLETE_MARKER), '')
  return command
}

function run(command: string, args: string[], failure: string): void {
  const result = spawnSync(command, args, { stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`${failure} (${command} exited ${result.status ?? result.error})`)
}

export interface FuzzTarget {
  name: string
  /** Where the target serves its OpenAPI document; its base URL is the document's origin. */
  documentUrl: string
}

export interface FuzzOptions {
  maxExamples: number
  seed?: string | undefined
  /** Past this, the run is stopped and counts as failed. */
  timeoutMs: number
  reportDir: string
}

/** What schemathesis's JSON report says about a run (the fields read here). */
export interface FuzzReport {
  /** Kept as text: it is bigger than a JSON number holds exactly. */
  seed: string
  running_time: number
  exit_code: number
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number }
  failures: { code: string; title: string; count: number; operations: string[] }[]
  errors: unknown[]
  phases: Record<string, { status: string; skip_reason: string | null }>
}

export interface FuzzResult {
  target: FuzzTarget
  /** Where schemathesis's own console output went. */
  logPath: string
  exitCode: number
  timedOut: boolean
  report: FuzzReport | undefined
}

/**
 * Every check but positive_data_acceptance: a valid request may be refused for the state it meets
 * (402 without funds, 404 without an account, 409 for an account that exists), which the document
 * says and the check cannot know.
 */
const EXCLUDED_CHECKS = ['positive_data_acceptance']
const PHASES = ['examples', 'coverage', 'fuzzing', 'stateful']

/**
 * Runs `schemathesis run` against one target and reads its report. Its console output goes to
 * `<reportDir>/<target>.log`, not to this console: it closes each run with pytest's banner ("=== 2
 * warnings in 70s ==="), which anything reading a CI log takes for a pytest run that ran no test.
 */
export async function fuzz(command: string, target: FuzzTarget, options: FuzzOptions): Promise<FuzzResult> {
  const reportPath = join(options.reportDir, `${target.name}.json`)
  rmSync(reportPath, { force: true })
  const args = [
    'run',
    target.documentUrl,
    '--checks',
    'all',
    '--exclude-checks',
    EXCLUDED_CHECKS.join(','),
    '--phases',
    PHASES.join(','),
    '--max-examples',
    String(options.maxExamples),
    '--request-timeout',
    '10',
    // Found failures are tried again first next time, from a database kept with the venv.
    '--generation-database',
    join(REPO_ROOT, '.cache', 'schemathesis', 'examples'),
    '--report',
    'json,junit',
    '--report-json-path',
    reportPath,
    '--report-junit-path',
    join(options.reportDir, `${target.name}.junit.xml`),
    ...(options.seed ? ['--seed', options.seed] : []),
  ]
  const logPath = join(options.reportDir, `${target.name}.log`)
  const output = createWriteStream(logPath)
  await new Promise((resolve, reject) => output.once('open', resolve).once('error', reject))
  const child = spawn(command, args, { cwd: options.reportDir, stdio: ['ignore', output, output] })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGTERM')
  }, options.timeoutMs)
  const exitCode = await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)))
  clearTimeout(timer)
  await new Promise((resolve) => output.end(resolve))
  const report = existsSync(reportPath) ? readReport(await readFile(reportPath, 'utf8')) : undefined
  return { target, logPath, exitCode, timedOut, report }
}

function readReport(text: string): FuzzReport {
  const report = JSON.parse(text) as FuzzReport
  return { ...report, seed: /"seed":\s*(\d+)/.exec(text)?.[1] ?? 'unknown' }
}
