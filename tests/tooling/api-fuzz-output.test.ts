import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fuzz } from '../../scripts/api-fuzz/schemathesis.ts'

/** schemathesis's closing banner: pytest's shape, with no count of tests passed in it. */
const BANNER = '============================= 2 warnings in 69.96s ============================='

describe('npm run test:api keeps schemathesis off its own console', () => {
  let dir: string
  let command: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'api-fuzz-'))
    // A stand-in for the schemathesis command: prints its banner on both streams and exits with
    // the code it is told; it writes no report.
    command = join(dir, 'schemathesis')
    await writeFile(command, `#!/bin/sh\necho '${BANNER}'\necho 'on stderr' >&2\nexit \${FAKE_EXIT:-0}\n`)
    await chmod(command, 0o755)
  })

  afterEach(async () => {
    delete process.env.FAKE_EXIT
    await rm(dir, { recursive: true, force: true })
  })

  it('when schemathesis runs, then all it printed is in <reportDir>/<target>.log', async () => {
    // Its banner on the CI log read as a pytest run that ran no test.
    const result = await fuzz(
      command,
      { name: 'orders', documentUrl: 'http://127.0.0.1:9/docs/json' },
      { maxExamples: 1, timeoutMs: 10_000, reportDir: dir },
    )

    expect(result.logPath).toBe(join(dir, 'orders.log'))
    expect(await readFile(result.logPath, 'utf8')).toBe(`${BANNER}\non stderr\n`)
    expect(result.exitCode).toBe(0)
    expect(result.report).toBeUndefined()
  })

  it('when schemathesis fails, then its exit code is kept beside its log', async () => {
    process.env.FAKE_EXIT = '1'

    const result = await fuzz(
      command,
      { name: 'gateway', documentUrl: 'http://127.0.0.1:9/docs/json' },
      { maxExamples: 1, timeoutMs: 10_000, reportDir: dir },
    )

    expect(result.exitCode).toBe(1)
    expect(await readFile(result.logPath, 'utf8')).toContain(BANNER)
  })
})
