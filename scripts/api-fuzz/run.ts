/**
 * `npm run test:api`: holds the three services to their OpenAPI documents with schemathesis.
 *
 * 1. Makes (or reuses) a Python virtual environment under `.cache/schemathesis/` with the pinned
 *    schemathesis of requirements.txt.
 * 2. Starts the system as `npm start` runs it, but throwaway: PostgreSQL in a temporary directory,
 *    the embedded transport, every service on a free port.
 * 3. Runs `schemathesis run` against each service's `/docs/json` and the gateway's: every check but
 *    positive_data_acceptance, the phases examples, coverage, fuzzing and stateful (which follows
 *    the documents' links: open an account, then top it up; place an order, then read it). Each
 *    request's X-User-Id is generated from the document's pattern, so every run makes new users.
 * 4. Prints a summary, stops everything, and exits non-zero on any finding. schemathesis's own
 *    output is kept in test-results/api-fuzz/<target>.log and printed here only for a failed target.
 *
 * `--max-examples N` (default 250) bounds the test cases per operation and phase; `--seed N`
 * repeats a run; `--only gateway|orders|payments` runs one target. Reports (JSON, JUnit) are kept
 * in test-results/api-fuzz/.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { RunnerLifecycle } from '../lib/launcher/runner-lifecycle.ts'
import { REPO_ROOT } from '../lib/launcher/service-process.ts'
import { ShopLauncher } from '../lib/launcher/shop-launcher.ts'
import { ensureStorefrontBuilt } from '../lib/storefront-build.ts'
import { ensureSchemathesis, type FuzzResult, type FuzzTarget, fuzz } from './schemathesis.ts'

const { values: args } = parseArgs({
  options: {
    'max-examples': { type: 'string', default: '250' },
    seed: { type: 'string' },
    only: { type: 'string' },
  },
})
const maxExamples = Number(args['max-examples'])
if (!Number.isInteger(maxExamples) || maxExamples < 1)
  throw new Error('--max-examples must be a positive integer')
/** A target whose run takes longer than this has hung: all three take about 2 minutes together. */
const TARGET_TIMEOUT_MS = 8 * 60_000
const REPORT_DIR = join(REPO_ROOT, 'test-results', 'api-fuzz')

const started = performance.now()
const log = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`)

// The gateway keeps its default per-user limit, so its X-RateLimit-* headers are checked on every
// answer; the services are fuzzed directly, where there is no limit.
const system = new ShopLauncher({
  database: { kind: 'embedded' },
  transport: { kind: 'embedded' },
  env: { LOG_LEVEL: 'warn' },
  output: 'ignore',
  log,
})
await new RunnerLifecycle(system, log).run(main)

async function main(): Promise<number> {
  const schemathesis = ensureSchemathesis(log)
  await mkdir(REPORT_DIR, { recursive: true })
  // The gateway serves the storefront at /; it is not under test, but its absence is logged.
  ensureStorefrontBuilt(log)
  log('starting the system (throwaway PostgreSQL, embedded transport)…')
  const running = await system.start()
  const targets: FuzzTarget[] = [
    { name: 'payments', documentUrl: `${running.urls['payments-service']}/docs/json` },
    { name: 'orders', documentUrl: `${running.urls['orders-service']}/docs/json` },
    { name: 'gateway', documentUrl: `${running.urls['api-gateway']}/docs/json` },
  ].filter((target) => !args.only || target.name === args.only)
  if (targets.length === 0) throw new Error(`--only: no target named ${args.only}`)

  const results: FuzzResult[] = []
  for (const target of targets) {
    log(`schemathesis against ${target.name} (${target.documentUrl}), ${maxExamples} examples…`)
    results.push(
      await fuzz(schemathesis, target, {
        maxExamples,
        seed: args.seed,
        timeoutMs: TARGET_TIMEOUT_MS,
        reportDir: REPORT_DIR,
      }),
    )
  }
  for (const result of results.filter((result) => !passed(result))) {
    console.log(`\nschemathesis's output for ${result.target.name} (${result.logPath}):`)
    console.log(await readFile(result.logPath, 'utf8'))
  }
  printSummary(results)
  return results.every(passed) ? 0 : 1
}

function passed(result: FuzzResult): boolean {
  const { exitCode, timedOut, report } = result
  return exitCode === 0 && !timedOut && report !== undefined && report.errors.length === 0
}

function printSummary(results: FuzzResult[]): void {
  console.log('\nAPI fuzzing (schemathesis), per target:')
  for (const result of results) {
    const { report } = result
    const outcome = passed(result) ? 'passed' : 'FAILED'
    const figures = report
      ? `${report.test_cases.generated} test cases, ${report.test_cases.unique_failures} unique failures, ` +
        `${report.errors.length} errors, ${report.running_time.toFixed(0)} s, seed ${report.seed}`
      : 'no report'
    console.log(
      `  ${result.target.name.padEnd(9)} ${outcome}: ${figures}${result.timedOut ? ' (timed out)' : ''}`,
    )
    for (const failure of report?.failures ?? []) {
      console.log(
        `      ${failure.code} ${failure.title} ×${failure.count}: ${failure.operations.join(', ')}`,
      )
    }
  }
  const failed = results.filter((result) => !passed(result)).length
  console.log(`\nschemathesis: ${results.length - failed} passed, ${failed} failed`)
  log('done')
}
