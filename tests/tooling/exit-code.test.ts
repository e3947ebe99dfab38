import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const helper = fileURLToPath(new URL('../../scripts/lib/embedded-postgres.ts', import.meta.url))

it('when a process that loaded the embedded PostgreSQL helper sets a failing exit code, then it exits with it', () => {
  // embedded-postgres's exit hook used to turn every natural exit into exit code 0, so a failed
  // test run (vitest sets process.exitCode = 1) passed for a green one in CI.
  const script = `await import(${JSON.stringify(helper)}); process.exitCode = 3`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  expect(result.stderr).toBe('')
  expect(result.status).toBe(3)
})
