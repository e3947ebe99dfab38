import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  BENCHMARKS_MD,
  RESULTS_DIR,
  readResult,
  renderBenchmarksMd,
  resultFileName,
} from '../../scripts/bench/lib/report.ts'

describe('the benchmark results kept in the repository', () => {
  const files = readdirSync(RESULTS_DIR)

  it('are compressed result files, each named after its run', async () => {
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      expect(file).toMatch(/\.json\.gz$/)
      expect(resultFileName(await readResult(join(RESULTS_DIR, file)))).toBe(file)
    }
  })

  it('are what BENCHMARKS.md summarises: its generated parts made afresh from them are the committed text', async () => {
    expect(await renderBenchmarksMd()).toBe(readFileSync(BENCHMARKS_MD, 'utf8'))
  })
})
