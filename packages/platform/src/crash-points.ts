/**
 * Fault injection for the chaos suite: at a named point the process dies at once (as SIGKILL
 * would leave it), with the probability given in SHOP_CRASH_POINTS, e.g.
 * `SHOP_CRASH_POINTS=relay.after_publish=0.05,consumer.after_commit=0.02`. Unset, as in
 * production, every point is a no-op. The points are the moments where a crash hurts most.
 */
export type CrashPoint =
  /** The transport accepted a batch; the outbox rows are not yet marked published. */
  | 'relay.after_publish'
  /** The consumer's transaction committed; the transport has not yet been told (no offset commit). */
  | 'consumer.after_commit'

const probabilities = parse(process.env.SHOP_CRASH_POINTS ?? '')

function parse(setting: string): Map<string, number> {
  const entries = setting
    .split(',')
    .map((entry) => entry.trim().split('='))
    .filter(([name, value]) => name && value && Number(value) > 0)
    .map(([name, value]) => [name as string, Number(value)] as const)
  return new Map(entries)
}

export function crashPoint(point: CrashPoint): void {
  const probability = probabilities.get(point)
  if (probability && Math.random() < probability) {
    process.stderr.write(`crash point ${point}: exiting\n`)
    // Like SIGKILL: no shutdown hooks, no flushing, nothing handed back.
    process.kill(process.pid, 'SIGKILL')
  }
}
