/**
 * An embedded PostgreSQL held by a process of its own, in its own process group (see
 * postgres-keeper.ts): a terminal's Ctrl-C reaches the launcher and the services but not the
 * database, which is stopped last, when nothing uses it any more.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { EmbeddedPostgresError, type EmbeddedPostgresOptions, withDatabase } from '../embedded-postgres.ts'
import type { KeeperMessage } from './postgres-keeper.ts'

const KEEPER = fileURLToPath(new URL('./postgres-keeper.ts', import.meta.url))
const STOP_GRACE_MS = 30_000

export interface PostgresProcess {
  port: number
  /** A URL of the server's `postgres` database, to create others from. */
  adminUrl: string
  urlFor(database: string): string
  /** Where the data is: the directory asked for, or where it had to go instead (see postgres-as-root.ts). */
  dataDir: string
  /** A fast shutdown (every connection is cut); resolves once the server and its keeper are gone. */
  stop(): Promise<void>
}

export async function startPostgresProcess(options: EmbeddedPostgresOptions): Promise<PostgresProcess> {
  const { log = () => {}, ...keeperOptions } = options
  const keeper = spawn(process.execPath, [KEEPER, JSON.stringify(keeperOptions)], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(keeper, 'exit')
  const ready = new Promise<{ adminUrl: string; dataDir: string }>((resolve, reject) => {
    keeper.on('message', (message: KeeperMessage) => {
      if (message.kind === 'log') log(message.line)
      else if (message.kind === 'ready') resolve(message)
      else reject(new EmbeddedPostgresError(message.message))
    })
    keeper.once('exit', (code, signal) =>
      reject(new EmbeddedPostgresError(`PostgreSQL's keeper exited (${signal ?? code}) before it was ready`)),
    )
  })
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      if (keeper.exitCode !== null || keeper.signalCode !== null) return
      keeper.kill('SIGTERM')
      const escalate = setTimeout(() => keeper.kill('SIGKILL'), STOP_GRACE_MS)
      await exited
      clearTimeout(escalate)
    })()
    return stopping
  }
  try {
    const { adminUrl, dataDir } = await ready
    // The channel is how the keeper learns that this process is gone; it must not keep it alive.
    keeper.channel?.unref()
    keeper.unref()
    return {
      port: options.port,
      adminUrl,
      urlFor: (database) => withDatabase(adminUrl, database),
      dataDir,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
