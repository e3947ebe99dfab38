import { Writable } from 'node:stream'
import { type Logger, pino } from 'pino'

/** Tests keep the console for their own output; set TEST_LOG_LEVEL=debug to see the services'. */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })

/** A logger that keeps every line it writes, at debug level, for tests about what is logged. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { logger: pino({ level: 'debug' }, sink), lines }
}
