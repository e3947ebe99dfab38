import type { Logger } from 'pino'

export interface Closable {
  name: string
  close(): Promise<void>
}

const SHUTDOWN_DEADLINE_MS = 10_000

/**
 * Closes the given resources in order on SIGTERM or SIGINT (stop accepting requests first, pools
 * last) and exits; a shutdown that hangs past the deadline exits non-zero rather than never.
 */
export function closeOnSignals(logger: Logger, resources: Closable[]): void {
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down')
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      process.exit(1)
    }, SHUTDOWN_DEADLINE_MS)
    deadline.unref()
    let failed = false
    for (const resource of resources) {
      try {
        await resource.close()
      } catch (error) {
        failed = true
        logger.error({ err: error, resource: resource.name }, 'failed to close')
      }
    }
    logger.info('stopped')
    process.exit(failed ? 1 : 0)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
}
