import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { freePort, REPO_ROOT } from '../../scripts/lib/launcher/service-process.ts'
import { captureOutput, cleanEnv, exitOf, processesNaming } from '../support/launched-process.ts'

let dataDir: string | undefined
let launcherPid: number | undefined

afterAll(async () => {
  // Whatever is left of the launch if the test failed half-way: its group, then the database's.
  if (launcherPid) {
    try {
      process.kill(-launcherPid, 'SIGKILL')
    } catch {}
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

it('when Ctrl-C reaches the launch, then it stops the gateway, the services and PostgreSQL last, one line each, and exits 0 with no FATAL', async () => {
  // Readable by the `postgres` user PostgreSQL runs as when this is root (mkdtemp makes it 0700).
  dataDir = await mkdtemp(join(tmpdir(), 'shop-clean-stop-'))
  await chmod(dataDir, 0o755)
  const launch = spawn(process.execPath, ['scripts/start.ts'], {
    cwd: REPO_ROOT,
    // A group of its own, as a terminal makes for a command: Ctrl-C sends SIGINT to the whole group.
    detached: true,
    env: cleanEnv({
      GATEWAY_PORT: String(await freePort()),
      ORDERS_PORT: String(await freePort()),
      PAYMENTS_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      SHOP_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  launcherPid = launch.pid
  const output = captureOutput(launch)
  const deadline = Date.now() + 90_000
  while (!output().includes('Press Ctrl-C to stop.') && launch.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
  expect(output(), 'the launch did not come up').toContain('Press Ctrl-C to stop.')

  process.kill(-(launch.pid as number), 'SIGINT')
  expect(await exitOf(launch, 40_000), output()).toBe(0)
  const steps = output()
    .split('\n')
    .filter((line) => line.startsWith('stopping '))
  expect(steps).toEqual([
    'stopping api-gateway… done',
    'stopping orders-service… done',
    'stopping payments-service… done',
    'stopping PostgreSQL… done',
  ])
  expect(output()).not.toMatch(/FATAL|"level":[56]0|^\s+at /m)
  // PostgreSQL removes its pid file only when it shut down cleanly, and nothing is left on its data.
  expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false)
  expect(await processesNaming(join(dataDir, 'postgres'))).toEqual([])
}, 150_000)
