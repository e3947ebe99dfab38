import { execFileSync } from 'node:child_process'
import { REPO_ROOT } from '../../lib/launcher/service-process.ts'
import type { BenchResult } from './result.ts'

/** Read-only git queries: which commit was measured, and whether the tree had local changes. */
export function gitState(): BenchResult['git'] {
  const git = (...gitArgs: string[]) =>
    execFileSync('git', gitArgs, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  try {
    const changed = git('diff-index', '--name-only', 'HEAD').split('\n').filter(Boolean)
    return { commit: git('rev-parse', '--short', 'HEAD').trim(), changedFiles: changed.length }
  } catch {
    return { commit: 'unknown', changedFiles: 0 }
  }
}
