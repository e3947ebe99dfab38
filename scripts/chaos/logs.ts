/**
 * What the services' own logs say happened: every consumed message is logged at debug level as
 * `event consumed` with `duplicate: true` when the inbox had it already (the effect was skipped).
 * Read from every incarnation's log file, so counts survive the restarts that reset /metrics.
 */
import { readFileSync } from 'node:fs'
import type { Incarnation } from './supervisor.ts'

export interface LoggedConsumption {
  /** Messages handled for the first time. */
  handled: number
  /** Deliveries the inbox recognised and skipped. */
  duplicates: number
  /** Log lines at level error or fatal. */
  errors: number
  /** A few of those error lines, for the report. */
  errorSamples: string[]
}

export function readConsumptionLogs(incarnations: Incarnation[]): LoggedConsumption {
  const result: LoggedConsumption = { handled: 0, duplicates: 0, errors: 0, errorSamples: [] }
  for (const incarnation of incarnations) {
    let text = ''
    try {
      text = readFileSync(incarnation.logFile, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n')) {
      if (line.includes('"msg":"event consumed"')) {
        if (line.includes('"duplicate":true')) result.duplicates += 1
        else result.handled += 1
      } else if (/"level":(50|60)/.test(line)) {
        result.errors += 1
        if (result.errorSamples.length < 3) result.errorSamples.push(line.slice(0, 300))
      }
    }
  }
  return result
}

/** The skipped duplicates the incarnations reported on /metrics before they died (a lower bound). */
export function scrapedDuplicates(incarnations: Incarnation[]): number {
  return incarnations.reduce((sum, incarnation) => sum + (incarnation.consumed.duplicate ?? 0), 0)
}
