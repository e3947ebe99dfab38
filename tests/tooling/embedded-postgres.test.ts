import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'
import { freePort } from '../../scripts/lib/launcher/service-process.ts'
import { watchSpawns } from '../../scripts/lib/spawn-watch.ts'
import { eventually } from '../support/eventually.ts'

const made: string[] = []
const scratch = async () => {
  const directory = await mkdtemp(join(tmpdir(), 'shop-embedded-pg-'))
  made.push(directory)
  return directory
}
afterAll(async () => {
  for (const directory of made) await rm(directory, { recursive: true, force: true })
})

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(() => 'settled'),
    new Promise((resolve) => setTimeout(resolve, ms, 'still waiting')),
  ])

describe('the embedded PostgreSQL', () => {
  it('when the server is already gone (a Ctrl-C reached it first), then stop() returns at once', async () => {
    const postgres = await startEmbeddedPostgres({
      dataDir: await scratch(),
      port: await freePort(),
      persistent: false,
    })
    const pid = Number((await readFile(join(postgres.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0])
    process.kill(pid, 'SIGINT')
    const alive = () => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    await eventually(
      async () => alive(),
      (running) => !running,
    )
    expect(await within(postgres.stop(), 5_000)).toBe('settled')
  })

  it("when its port is taken, then the start fails with PostgreSQL's own reason", async () => {
    const port = await freePort()
    const first = await startEmbeddedPostgres({
      dataDir: await scratch(),
      port,
      persistent: false,
    })
    try {
      const second = startEmbeddedPostgres({
        dataDir: await scratch(),
        port,
        persistent: false,
      })
      await expect(second).rejects.toThrow(EmbeddedPostgresError)
      await expect(second).rejects.toThrow(
        /stopped before it accepted connections on port \d+[\s\S]*already in use/,
      )
    } finally {
      await first.stop()
    }
  })
})

describe('watching the spawns of a directory', () => {
  it('when a program there cannot be run, then the failure is kept as a reason and this process goes on', async () => {
    const directory = await scratch()
    const program = join(directory, 'not-executable')
    await writeFile(program, '#!/bin/sh\n')
    await chmod(program, 0o644)
    const watch = watchSpawns(directory)
    try {
      // Spawned as embedded-postgres does: with no 'error' listener of its own (events.once would add one).
      const child = spawn(program, [])
      await new Promise((resolve) => child.on('close', resolve))
      expect(watch.spawnError?.code).toBe('EACCES')
      expect(watch.named('not-executable')).toBe(child)
    } finally {
      watch.stopWatching()
    }
  })

  it('when a program elsewhere is spawned, then it is left alone', async () => {
    const watch = watchSpawns(await scratch())
    try {
      const child = spawn('/bin/sh', ['-c', 'exit 0'])
      await once(child, 'close')
      expect(watch.named('sh')).toBeUndefined()
      expect(child.listenerCount('error')).toBe(0)
    } finally {
      watch.stopWatching()
    }
  })
})
