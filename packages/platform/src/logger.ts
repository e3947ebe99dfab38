import { type Logger, pino } from 'pino'

export type { Logger }

/** Structured JSON logs, one line per event, named by service. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service } })
}
