/**
 * Where a service's CPU went, from the `.cpuprofile` that `node --cpu-prof` writes on exit: self
 * time by function and by package, over a chosen window only (the profile's clock is the monotonic
 * clock `process.hrtime` reads, so a window taken in the benchmark's process applies as is).
 *
 *   node scripts/bench/lib/profile.ts <file.cpuprofile | dir> [--top 20]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { round } from './stats.ts'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface SelfTime {
  name: string
  ms: number
  /** Share of the busy (non-idle) time in the window. */
  percent: number
}

export interface ProfileSummary {
  file: string
  pid: number
  /** Wall time covered by the window, ms. */
  windowMs: number
  /** CPU time sampled as busy in the window, ms (idle left out). */
  busyMs: number
  byCategory: SelfTime[]
  /**
   * The same with native and Node-internal work (socket writes, streams, buffers…) charged to the
   * package whose code called it: "pg 30%" then includes the syscalls pg's queries cost.
   */
  byOwner: SelfTime[]
  topFunctions: (SelfTime & { category: string })[]
}

/** A window in microseconds of the monotonic clock (`process.hrtime.bigint() / 1000n`). */
export interface Window {
  fromUs: number
  toUs: number
}

export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

const REPO_PATH = /\/(packages|services|scripts|tests)\/([^/]+)\//

export function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame
  if (!url) {
    if (functionName.startsWith('(')) return functionName
    return '(native)'
  }
  const modules = url.lastIndexOf('/node_modules/')
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/')
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? url)
  }
  if (url.startsWith('node:')) {
    const path = url.slice('node:'.length).replace(/^internal\//, '')
    if (path.startsWith('deps/')) return `node:${path.split('/')[1]}`
    return `node:${path.split('/')[0]}`
  }
  const repo = REPO_PATH.exec(url)
  if (repo) return `${repo[1]}/${repo[2]}`
  return url
}

function location(frame: CallFrame): string {
  const { url } = frame
  if (!url) return ''
  const modules = url.lastIndexOf('/node_modules/')
  const short =
    modules >= 0
      ? url.slice(modules + '/node_modules/'.length)
      : url.replace(/^file:\/\/.*?\/(packages|services|scripts|tests)\//, '$1/')
  return `${short}:${frame.lineNumber + 1}`
}

export function summarizeProfile(file: string, window?: Window, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const owners = new Map<number, string>()
  const ownerOf = (id: number): string => {
    const known = owners.get(id)
    if (known) return known
    const frame = frames.get(id)
    const parent = parents.get(id)
    const category = frame ? categoryOf(frame) : '(unknown)'
    const userland = (name: string) => !name.startsWith('(') && !name.startsWith('node:')
    const inherited = !userland(category) && parent !== undefined ? ownerOf(parent) : category
    const owner = userland(inherited) ? inherited : category
    owners.set(id, owner)
    return owner
  }
  const byFunction = new Map<string, { ms: number; category: string }>()
  const byCategory = new Map<string, number>()
  const byOwner = new Map<string, number>()
  let time = profile.startTime
  let busyUs = 0
  const fromUs = window?.fromUs ?? profile.startTime
  const toUs = window?.toUs ?? profile.endTime
  for (let index = 0; index < profile.samples.length; index++) {
    time += profile.timeDeltas[index] ?? 0
    // A sample stands for the time until the next one.
    const spanUs = profile.timeDeltas[index + 1] ?? 0
    if (time < fromUs || time > toUs) continue
    const frame = frames.get(profile.samples[index] as number)
    if (!frame || frame.functionName === '(idle)') continue
    busyUs += spanUs
    const category = categoryOf(frame)
    byCategory.set(category, (byCategory.get(category) ?? 0) + spanUs)
    const owner = ownerOf(profile.samples[index] as number)
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + spanUs)
    const name = `${frame.functionName || '(anonymous)'} ${location(frame)}`.trim()
    const entry = byFunction.get(name) ?? { ms: 0, category }
    entry.ms += spanUs
    byFunction.set(name, entry)
  }
  const percent = (us: number) => (busyUs === 0 ? 0 : round((us / busyUs) * 100))
  return {
    file: basename(file),
    pid: Number(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(file)?.[1] ?? 0),
    windowMs: round((toUs - fromUs) / 1000, 0),
    busyMs: round(busyUs / 1000, 0),
    byCategory: [...byCategory]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round(us / 1000, 0), percent: percent(us) })),
    byOwner: [...byOwner]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round(us / 1000, 0), percent: percent(us) })),
    topFunctions: [...byFunction]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, top)
      .map(([name, { ms, category }]) => ({ name, category, ms: round(ms / 1000, 0), percent: percent(ms) })),
  }
}

export function profileFiles(dirOrFile: string): string[] {
  if (!statSync(dirOrFile).isDirectory()) return [dirOrFile]
  return readdirSync(dirOrFile)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => join(dirOrFile, file))
}

export function formatSummary(title: string, summary: ProfileSummary, top = 12): string {
  const lines = [
    `${title}: ${summary.busyMs} ms busy of ${summary.windowMs} ms (${round((summary.busyMs / Math.max(1, summary.windowMs)) * 100)}% of a core)`,
    '  by package:   ' +
      summary.byCategory
        .slice(0, 10)
        .map((entry) => `${entry.name} ${entry.percent}%`)
        .join(', '),
    '  by package, Node internals charged to their caller: ' +
      summary.byOwner
        .slice(0, 10)
        .map((entry) => `${entry.name} ${entry.percent}%`)
        .join(', '),
    '  top self time:',
    ...summary.topFunctions
      .slice(0, top)
      .map((entry) => `    ${String(entry.percent).padStart(5)}%  ${entry.name}  [${entry.category}]`),
  ]
  return lines.join('\n')
}

if (import.meta.main) {
  const target = process.argv[2]
  const topIndex = process.argv.indexOf('--top')
  const top = topIndex > 0 ? Number(process.argv[topIndex + 1]) : 20
  if (!target) {
    console.error('usage: node scripts/bench/lib/profile.ts <file.cpuprofile | dir> [--top N]')
    process.exit(2)
  }
  for (const file of profileFiles(target)) {
    console.log(formatSummary(basename(file), summarizeProfile(file, undefined, top), top))
    console.log()
  }
}
