/**
 * The process that holds an embedded PostgreSQL for a launcher (see postgres-process.ts). It is
 * started detached, in a process group of its own, so the Ctrl-C a terminal sends to the
 * launcher's group reaches neither it nor the server it starts: the launcher stops the services
 * first and the database last. It stops the server on SIGTERM, and also when the launcher is gone
 * (the IPC channel closes), so a launcher that was killed leaves no server behind.
 */
import { type EmbeddedPostgresOptions, startEmbeddedPostgres } from '../embedded-postgres.ts'

export type KeeperMessage =
  | { kind: 'log'; line: string }
  | { kind: 'ready'; adminUrl: string; dataDir: string }
  | { kind: 'failed'; message: string }

const send = (message: KeeperMessage) => process.send?.(message)
const options = JSON.parse(process.argv[2] ?? '{}') as Omit<EmbeddedPostgresOptions, 'log'>

// embedded-postgres's own exit hook exits at once with a signal's code; here stop() is awaited.
process.removeAllListeners('SIGINT')
process.removeAllListeners('SIGTERM')
process.removeAllListeners('SIGHUP')
// Detached, no terminal signals it; a SIGINT or SIGHUP can only be meant for someone else.
process.on('SIGINT', () => {})
process.on('SIGHUP', () => {})

try {
  const postgres = await startEmbeddedPostgres({ ...options, log: (line) => send({ kind: 'log', line }) })
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void postgres.stop().finally(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('disconnect', stop)
  send({ kind: 'ready', adminUrl: postgres.adminUrl, dataDir: postgres.dataDir })
} catch (error) {
  send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
  process.disconnect?.()
  process.exitCode = 1
}
