/**
 * The rule that fails a soak: a figure keeps growing when, after the warm-up, the least-squares
 * line through its samples rises by more than the figure's slack over the span measured, and its
 * last sample also ends that much above its first. A single spike (a heap V8 has not collected
 * yet, a sample taken just before a trim round) barely tilts the line, and a figure that levels
 * off, even high, ends near its line; a leak does both. During the warm-up, tables are still
 * filling their retention windows and Node is still compiling.
 */
import type { Sample } from './samples.ts'

/** How much a figure may rise over the span measured, given where it started. */
const SLACK: Record<string, (first: number) => number> = {
  rows: (first) => Math.max(first * 0.25, 1_000),
  // A table's file grows until autovacuum (a round a minute) lets new rows reuse the space of
  // trimmed ones; in the two-minute form the log's file may still be doing so at about 3 MiB a
  // minute, short of its level. A leak of rows shows in `rows` first.
  bytes: (first) => Math.max(first * 0.25, 16 * 1024 * 1024),
  rssBytes: (first) => Math.max(first * 0.25, 32 * 1024 * 1024),
  // A process two minutes old is still growing its V8 heap to the size its load needs (a service
  // of 200 MiB was seen to add 55 MiB in the minute after the warm-up, and then stop): over so
  // short a span only growth by more than half is told from that.
  youngRssBytes: (first) => Math.max(first * 0.5, 64 * 1024 * 1024),
  eventLoopP99Ms: (first) => Math.max(first, 20),
  settle: (first) => Math.max(first, 100),
}

/** Samples after the warm-up needed before the rule judges anything. */
const MIN_SAMPLES = 4

/** The figures that kept growing after `warmupSeconds`, each with its first and last value and the line's rise. */
export function growingFigures(
  samples: readonly Sample[],
  warmupSeconds: number,
  /** The two-minute form: its processes are too young to hold their memory to the long form's slack. */
  options: { young?: boolean } = {},
): string[] {
  const measured = samples.filter((sample) => sample.atSeconds >= warmupSeconds)
  if (measured.length < MIN_SAMPLES) return []
  const series = new Map<string, { kind: string; points: [number, number][] }>()
  const add = (kind: string, name: string, at: number, value: number | null) => {
    if (value === null || !Number.isFinite(value)) return
    const entry = series.get(name) ?? { kind, points: [] }
    entry.points.push([at, value])
    series.set(name, entry)
  }
  for (const sample of measured) {
    for (const kind of ['rows', 'bytes', 'rssBytes', 'eventLoopP99Ms'] as const)
      for (const [name, value] of Object.entries(sample[kind]))
        add(kind, `${kind} ${name}`, sample.atSeconds, value)
    add('settle', 'settle p99 ms', sample.atSeconds, sample.settleP99Ms)
  }
  return [...series].flatMap(([name, { kind, points }]) => {
    if (points.length < MIN_SAMPLES) return []
    const [first, last] = [points[0] as [number, number], points.at(-1) as [number, number]]
    const rise = slope(points) * (last[0] - first[0])
    const slack = SLACK[options.young && kind === 'rssBytes' ? 'youngRssBytes' : kind]?.(first[1]) ?? 0
    return rise > slack && last[1] - first[1] > slack
      ? [
          `${name}: ${first[1]} → ${last[1]} (the fitted line rose ${Math.round(rise)}, slack ${Math.round(slack)})`,
        ]
      : []
  })
}

/** Least-squares slope of value over time. */
export function slope(points: readonly [number, number][]): number {
  const n = points.length
  const meanT = points.reduce((sum, [t]) => sum + t, 0) / n
  const meanV = points.reduce((sum, [, v]) => sum + v, 0) / n
  let covariance = 0
  let variance = 0
  for (const [t, v] of points) {
    covariance += (t - meanT) * (v - meanV)
    variance += (t - meanT) ** 2
  }
  return variance === 0 ? 0 : covariance / variance
}
