/**
 * What a run leaves behind and how it ends: the last result under .data/bench always; for a smoke
 * run the gross-regression verdict against the reference ratio; for a full run the targets, and
 * when recorded the result file, the reference ratio and BENCHMARKS.md.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from '../../lib/launcher/service-process.ts'
import {
  printTargets,
  REFERENCE_FILE,
  RESULTS_DIR,
  readReference,
  resultFileName,
  updateBenchmarksMd,
  writeReference,
  writeResult,
} from './report.ts'
import type { BenchResult } from './result.ts'
import { round } from './stats.ts'

/** Keeps the result as the run was asked to; returns the run's exit code. */
export async function keepResult(
  result: BenchResult,
  options: { record: boolean; log: (line: string) => void },
): Promise<number> {
  const { transport } = result
  // Always kept, recorded or not, for a closer look (.data/ is not tracked).
  await mkdir(join(REPO_ROOT, '.data', 'bench'), { recursive: true })
  await writeFile(
    join(REPO_ROOT, '.data', 'bench', `last-${result.mode}-${transport}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  )

  if (result.mode === 'smoke') {
    const reference = readReference()[transport]
    if (!reference) {
      console.log(`\nno reference ratio for ${transport} in ${REFERENCE_FILE}: nothing to compare with`)
      return 0
    }
    const { peak } = result
    const floor = round(reference.ratio / 4, 3)
    // The step offers a fixed rate, so on a machine with a higher ceiling the ratio is capped by
    // what was offered: settling (nearly) everything offered is no regression, whatever the ratio.
    const offered = result.settings.steps[0] ?? 0
    const keptUp = peak.settledPerSec >= offered * 0.9
    const passed = peak.ratio >= floor || keptUp
    const verdict = passed ? (keptUp ? 'ok (settled what was offered)' : 'ok') : 'GROSS REGRESSION'
    console.log(
      `\nsmoke: settled/s ÷ ceiling = ${peak.ratio}; reference ${reference.ratio} (${reference.day}), fails below ${floor} unless it settled 90% of the ${offered} req/s offered: ${verdict}`,
    )
    if (options.record) await saveResult(result, options.log)
    return passed ? 0 : 1
  }

  printTargets(result)
  if (options.record) {
    await saveResult(result, options.log)
    if (!result.profiled) await writeReference(transport, result)
    await updateBenchmarksMd()
    options.log('BENCHMARKS.md updated')
  }
  return 0
}

async function saveResult(result: BenchResult, log: (line: string) => void): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true })
  const file = join(RESULTS_DIR, resultFileName(result))
  await writeResult(file, result)
  log(`wrote ${file.slice(REPO_ROOT.length)}`)
}
