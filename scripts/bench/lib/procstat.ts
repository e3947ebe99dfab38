/**
 * CPU and memory of the processes under test, read from /proc (Linux only). CPU is the change of
 * utime+stime over a window, as a percentage of one core; memory is sampled every second.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { round } from './stats.ts'

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100
const MEMORY_SAMPLE_MS = 1_000

export interface WatchedProcess {
  name: string
  pid: number
  /** Sum over the process and all its descendants (PostgreSQL's postmaster and backends). */
  tree?: boolean
}

export interface ProcessUsage {
  /** Percent of one core, averaged over the window. */
  cpuPercent: number
  /** Resident memory, MiB: the largest sample. For a tree, the sum of PSS (shared pages split). */
  memoryMb: number
  processes: number
}

export interface UsageReport {
  seconds: number
  processes: Record<string, ProcessUsage>
  machine: {
    cores: number
    /** Of all cores together: 100 means every core was busy the whole window. */
    busyPercent: number
    iowaitPercent: number
    /** CPU used by processes the benchmark does not watch (anything else on the machine), % of one core. */
    othersPercent: number
  }
}

interface Stat {
  ppid: number
  ticks: number
  childTicks: number
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    const field = (n: number) => Number(fields[n - 3])
    return { ppid: field(4), ticks: field(14) + field(15), childTicks: field(16) + field(17) }
  } catch {
    return undefined
  }
}

function allStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = readStat(Number(entry))
    if (stat) stats.set(Number(entry), stat)
  }
  return stats
}

function descendants(root: number, stats: Map<number, Stat>): number[] {
  const children = new Map<number, number[]>()
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid])
  const found: number[] = []
  const queue = [...(children.get(root) ?? [])]
  while (queue.length > 0) {
    const pid = queue.shift() as number
    found.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return found
}

function statusKb(pid: number, file: 'status' | 'smaps_rollup', key: string): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'))
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

/** CPU ticks of a watched process; for a tree, including the reaped children it accounted. */
function cpuTicks(watched: WatchedProcess, stats: Map<number, Stat>): number {
  const own = stats.get(watched.pid)
  if (!own) return 0
  if (!watched.tree) return own.ticks
  return (
    own.ticks +
    own.childTicks +
    descendants(watched.pid, stats).reduce((sum, pid) => sum + (stats.get(pid)?.ticks ?? 0), 0)
  )
}

function memoryKb(watched: WatchedProcess, stats: Map<number, Stat>): { kb: number; processes: number } {
  if (!watched.tree) return { kb: statusKb(watched.pid, 'status', 'VmRSS'), processes: 1 }
  const pids = [watched.pid, ...descendants(watched.pid, stats)]
  return {
    kb: pids.reduce((sum, pid) => sum + statusKb(pid, 'smaps_rollup', 'Pss'), 0),
    processes: pids.length,
  }
}

function machineTicks(): { busy: number; iowait: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)
  return { busy, iowait: iowait ?? 0, total: busy + (idle ?? 0) + (iowait ?? 0) }
}

/** Watches a set of processes over one window (a load step). */
export class UsageWindow {
  readonly #watched: WatchedProcess[]
  readonly #startedAt = performance.now()
  readonly #startTicks: Map<string, number>
  readonly #startMachine = machineTicks()
  readonly #memory = new Map<string, { maxKb: number; processes: number }>()
  readonly #timer: NodeJS.Timeout

  constructor(watched: WatchedProcess[]) {
    this.#watched = watched
    const stats = allStats()
    this.#startTicks = new Map(watched.map((process) => [process.name, cpuTicks(process, stats)]))
    this.#sampleMemory(stats)
    this.#timer = setInterval(() => this.#sampleMemory(allStats()), MEMORY_SAMPLE_MS)
    this.#timer.unref()
  }

  #sampleMemory(stats: Map<number, Stat>): void {
    for (const process of this.#watched) {
      const { kb, processes } = memoryKb(process, stats)
      const seen = this.#memory.get(process.name)
      if (!seen || kb > seen.maxKb) this.#memory.set(process.name, { maxKb: kb, processes })
    }
  }

  finish(): UsageReport {
    clearInterval(this.#timer)
    const stats = allStats()
    this.#sampleMemory(stats)
    const seconds = (performance.now() - this.#startedAt) / 1000
    const processes: Record<string, ProcessUsage> = {}
    for (const process of this.#watched) {
      const ticks = cpuTicks(process, stats) - (this.#startTicks.get(process.name) ?? 0)
      const memory = this.#memory.get(process.name) ?? { maxKb: 0, processes: 0 }
      processes[process.name] = {
        cpuPercent: round((ticks / TICKS_PER_SECOND / seconds) * 100),
        memoryMb: round(memory.maxKb / 1024),
        processes: memory.processes,
      }
    }
    const machine = machineTicks()
    const total = Math.max(1, machine.total - this.#startMachine.total)
    const busy = machine.busy - this.#startMachine.busy
    const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s/gm)?.length ?? 1
    const watchedPercent = Object.values(processes).reduce((sum, usage) => sum + usage.cpuPercent, 0)
    return {
      seconds: round(seconds, 2),
      processes,
      machine: {
        cores,
        busyPercent: round((busy / total) * 100),
        iowaitPercent: round(((machine.iowait - this.#startMachine.iowait) / total) * 100),
        // /proc/stat counts all cores together: busy ÷ total × cores is in "percent of one core".
        othersPercent: Math.max(0, round((busy / total) * cores * 100 - watchedPercent)),
      },
    }
  }
}

/** The pid of a process whose command line contains every given fragment, if one runs. */
export function findProcess(...fragments: string[]): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')
      if (fragments.every((fragment) => cmdline.includes(fragment))) return Number(entry)
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined
}
