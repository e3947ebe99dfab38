import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, inject, it } from 'vitest'
import { EmbeddedPostgresError } from '../../scripts/lib/embedded-postgres.ts'
import { startThrowawayPostgres } from '../../scripts/lib/launcher/databases.ts'
import { freePort, REPO_ROOT } from '../../scripts/lib/launcher/service-process.ts'
import { eventually } from '../support/eventually.ts'
import {
  captureOutput,
  cleanEnv,
  exitOf,
  processesInGroup,
  processesNaming,
} from '../support/launched-process.ts'

const dataDirs: string[] = []
const launches: ChildProcess[] = []

afterAll(async () => {
  // Whatever is left of a launch if a test failed half-way: its group (the database has its own).
  for (const launch of launches) {
    try {
      if (launch.pid) process.kill(-launch.pid, 'SIGKILL')
    } catch {}
  }
  for (const dataDir of dataDirs) await rm(dataDir, { recursive: true, force: true })
})

/** `npm start`'s launcher on free ports and a data directory of its own, once it says the shop runs. */
async function launch(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string; postgresDir: string; ordersUrl: string }> {
  // Readable by the `postgres` user PostgreSQL runs as when this is root (mkdtemp makes it 0700).
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-clean-stop-'))
  dataDirs.push(dataDir)
  await chmod(dataDir, 0o755)
  const ordersPort = await freePort()
  const child = spawn(process.execPath, ['scripts/start.ts', ...args], {
    cwd: REPO_ROOT,
    // A group of its own, as a terminal makes for a command: Ctrl-C sends SIGINT to the whole group.
    detached: true,
    env: cleanEnv({
      GATEWAY_PORT: String(await freePort()),
      ORDERS_PORT: String(ordersPort),
      PAYMENTS_PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      SHOP_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  launches.push(child)
  const output = captureOutput(child)
  const deadline = Date.now() + 90_000
  while (!output().includes('Press Ctrl-C to stop.') && child.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
  expect(output(), 'the launch did not come up').toContain('Press Ctrl-C to stop.')
  return {
    child,
    output,
    postgresDir: join(dataDir, 'postgres'),
    ordersUrl: `http://127.0.0.1:${ordersPort}`,
  }
}

it('when Ctrl-C reaches the launch, then it stops the gateway, the services and PostgreSQL last, one line each, and exits 0 with no FATAL', async () => {
  const { child, output, postgresDir } = await launch()

  process.kill(-(child.pid as number), 'SIGINT')
  expect(await exitOf(child, 40_000), output()).toBe(0)
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
  expect(existsSync(join(postgresDir, 'postmaster.pid'))).toBe(false)
  expect(await processesNaming(postgresDir)).toEqual([])
}, 150_000)

// Where the Kafka suites run (Java and Maven are here), a broker of its own, started by the launch.
it.skipIf(!inject('kafkaBootstrap'))(
  'when Ctrl-C reaches a launch on Kafka, then the broker stops after the services and before PostgreSQL',
  async () => {
    const { child, output } = await launch(['--kafka'], { KAFKA_PORT: String(await freePort()) })

    process.kill(-(child.pid as number), 'SIGINT')
    expect(await exitOf(child, 60_000), output()).toBe(0)
    expect(output().match(/^stopping .*$/gm)).toEqual([
      'stopping api-gateway… done',
      'stopping orders-service… done',
      'stopping payments-service… done',
      'stopping Kafka… done',
      'stopping PostgreSQL… done',
    ])
    expect(output()).not.toMatch(/FATAL|"level":[56]0|^\s+at /m)
  },
  180_000,
)

it('when the launch is killed outright, then the PostgreSQL it started, out of its process group, stops too', async () => {
  const { child, postgresDir } = await launch()
  expect(await processesNaming(postgresDir)).not.toEqual([])

  process.kill(-(child.pid as number), 'SIGKILL')
  await eventually(
    () => processesNaming(postgresDir),
    (left) => left.length === 0,
    { timeoutMs: 30_000, intervalMs: 200 },
  )
  expect(existsSync(join(postgresDir, 'postmaster.pid'))).toBe(false)
}, 150_000)

it('when a service dies under a launch, then the launcher says so and starts it again on its port', async () => {
  const { child, output, ordersUrl } = await launch()
  const group = child.pid as number
  const ordersEntry = 'services/orders-service/src/server.ts'
  const [first] = await processesInGroup(group, ordersEntry)
  expect(first).toBeDefined()

  process.kill(first as number, 'SIGKILL')
  await eventually(
    async () => ({
      pids: await processesInGroup(group, ordersEntry),
      health: await fetch(`${ordersUrl}/health`).then(
        (response) => response.status,
        () => 0,
      ),
    }),
    (seen) => seen.health === 200 && seen.pids.length === 1 && seen.pids[0] !== first,
    { timeoutMs: 30_000, intervalMs: 200 },
  )
  expect(output()).toContain('orders-service exited (SIGKILL); restarting in 1000 ms')

  process.kill(-group, 'SIGINT')
  expect(await exitOf(child, 40_000), output()).toBe(0)
}, 150_000)

it("when the launcher's PostgreSQL cannot start (its port is taken), then the start fails with PostgreSQL's own reason", async () => {
  const port = await freePort()
  const first = await startThrowawayPostgres({ port })
  try {
    const second = startThrowawayPostgres({ port })
    await expect(second).rejects.toThrow(EmbeddedPostgresError)
    await expect(second).rejects.toThrow(
      /stopped before it accepted connections on port \d+[\s\S]*already in use/,
    )
  } finally {
    await first.stop()
  }
}, 60_000)
