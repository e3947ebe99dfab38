import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/lib/launcher/service-process.ts'
import { waitUntilFinal } from '../../scripts/lib/settle-waiter.ts'
import { shopClient } from '../../scripts/lib/shop-client.ts'
import { copyCheckout } from '../support/checkout-copy.ts'
import { eventually } from '../support/eventually.ts'
import { captureOutput, cleanEnv, exitOf, processesNaming } from '../support/launched-process.ts'
import { notRootReason } from '../support/root.ts'

// Root's checkouts often live where no other user can enter (root's home is 0700 on Debian, and
// so is `mktemp -d`), while PostgreSQL, which refuses to run as root, runs as the `postgres` user.
const notRoot = notRootReason('the run of a checkout in a private directory')

describe.skipIf(notRoot !== undefined)(
  'a checkout in a directory no other user can enter, run by root',
  () => {
    let privateDir: string
    let checkout: string
    let shop: ChildProcess | undefined
    let dataDir: string | undefined

    beforeAll(async () => {
      privateDir = await mkdtemp(join(tmpdir(), 'shop-private-'))
      checkout = join(privateDir, 'shop')
      const started = performance.now()
      await copyCheckout(checkout)
      console.log(`checkout copied into ${checkout} in ${Math.round(performance.now() - started)} ms`)
      // The case at hand: mkdtemp makes the directory 0700, as root's home is, so no other user enters it.
      expect((await stat(privateDir)).mode & 0o077).toBe(0)
    }, 120_000)

    afterAll(async () => {
      // Everything npm start started, PostgreSQL included, if the test left it running.
      if (shop?.pid && shop.exitCode === null && shop.signalCode === null) process.kill(-shop.pid, 'SIGKILL')
      if (privateDir) await rm(privateDir, { recursive: true, force: true })
      if (dataDir?.startsWith('/var/lib/shop/')) await rm(dirname(dataDir), { recursive: true, force: true })
    })

    it('when root runs npm start there, then the shop serves an order and SIGINT stops it all with exit code 0', async () => {
      const ports = {
        GATEWAY_PORT: await freePort(),
        ORDERS_PORT: await freePort(),
        PAYMENTS_PORT: await freePort(),
        EMBEDDED_POSTGRES_PORT: await freePort(),
      }
      const started = performance.now()
      // Its own process group, which afterAll can end whole if the test fails half-way.
      shop = spawn('npm', ['start'], {
        cwd: checkout,
        detached: true,
        env: cleanEnv({
          ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
          // npm passes SIGINT on to the shell that runs the script; Debian's sh (dash) keeps it
          // from the launcher, bash runs the one command in its own place, so the launcher gets
          // it, and npm's exit code is the launcher's.
          npm_config_script_shell: '/bin/bash',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const output = captureOutput(shop)
      const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`
      const running = shop
      const state = await eventually(
        async () => ({
          exitCode: running.exitCode,
          ready: await fetch(`${gateway}/ready`).then(
            (response) => response.status,
            () => 0,
          ),
        }),
        (seen) => seen.exitCode !== null || seen.ready === 200,
        { timeoutMs: 90_000, intervalMs: 250 },
      )
      expect(state, output()).toEqual({ exitCode: null, ready: 200 })
      console.log(`npm start ready in ${Math.round(performance.now() - started)} ms`)

      const keptIn = /its data is in (\S+)/.exec(output())?.[1] ?? ''
      dataDir = keptIn
      expect(keptIn, output()).toMatch(/^\/var\/lib\/shop\/[0-9a-f]{16}\/postgres$/)
      expect(existsSync(join(checkout, '.data/postgres/PG_VERSION'))).toBe(false)

      const api = shopClient(gateway)
      const user = api.newUser()
      expect((await api.openAccount(user, 50)).status).toBe(201)
      const placed = await api.placeOrder(user, 20, 'a kettle')
      expect(placed.status).toBe(201)
      const settled = await waitUntilFinal(api, user, placed.body.id)
      expect(settled.body.status).toBe('FINISHED')
      expect((await api.balance(user)).body).toEqual({ user_id: user, balance: 30 })

      if (running.pid === undefined) throw new Error('npm start has no pid')
      process.kill(running.pid, 'SIGINT')
      expect(await exitOf(running, 30_000), output()).toBe(0)
      expect(await processesNaming(keptIn)).toEqual([])
      // PostgreSQL removes its pid file only when it shut down cleanly.
      expect(existsSync(join(keptIn, 'postmaster.pid'))).toBe(false)
    }, 150_000)

    it("when root runs a test file there, then npm test's setup starts PostgreSQL and the test uses it", async () => {
      // The whole npm test takes many minutes; what a private directory changes for it is only how
      // the global setup starts PostgreSQL, which any test file using a database goes through.
      const started = performance.now()
      const vitest = spawn(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', 'packages/platform/test/migrate.test.ts'],
        { cwd: checkout, env: cleanEnv({ KAFKA_TESTS: 'off' }), stdio: ['ignore', 'pipe', 'pipe'] },
      )
      const output = captureOutput(vitest)
      expect(await exitOf(vitest, 90_000), output()).toBe(0)
      expect(output()).toContain('2 passed')
      console.log(`one test file through npm test's setup in ${Math.round(performance.now() - started)} ms`)
    }, 120_000)
  },
)
