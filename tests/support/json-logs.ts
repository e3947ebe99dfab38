import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export type LogLine = Record<string, unknown>

/**
 * Collects every line a service process writes to stdout (its JSON logs), parsed, in order, into
 * `lines`; with TEST_LOG_LEVEL set they are echoed too. Lines that are not JSON are kept as `msg`.
 */
export function collectJsonLogs(child: ChildProcess, lines: LogLine[] = []): LogLine[] {
  if (!child.stdout) return lines
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (process.env.TEST_LOG_LEVEL) console.log(line)
    try {
      lines.push(JSON.parse(line))
    } catch {
      lines.push({ msg: line })
    }
  })
  return lines
}
