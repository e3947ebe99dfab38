/** What a benchmark run is asked to do: its command-line options, with the defaults of each mode. */
import { parseArgs } from 'node:util'
import { readReference } from './report.ts'
import type { TransportName } from './system.ts'

export interface BenchSettings {
  connections: number
  users: number
  stepSeconds: number
  ceilingSeconds: number
  ceilingConnections: number
  latencySeconds: number
  capacitySeconds: number
  warmupSeconds: number
  logLevel: string
  steps: number[]
}

export interface BenchOptions {
  transport: TransportName
  smoke: boolean
  profile: boolean
  /** Whether the result is written to scripts/bench/results (and, for a full run, BENCHMARKS.md). */
  record: boolean
  settings: BenchSettings
  /** The command as the user typed it, for the result file. */
  command: string
}

/** Reads the options, or ends the process with exit code 2 and the reason. */
export function readBenchOptions(argv = process.argv.slice(2)): BenchOptions {
  const { values: args } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      transport: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      record: { type: 'boolean' },
      steps: { type: 'string' },
      'step-seconds': { type: 'string' },
      connections: { type: 'string', default: '64' },
      users: { type: 'string', default: '200' },
      'ceiling-seconds': { type: 'string' },
      'ceiling-connections': { type: 'string', default: '32' },
      'latency-seconds': { type: 'string', default: '8' },
      'capacity-seconds': { type: 'string', default: '4' },
      'warmup-seconds': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
    },
  })
  const smoke = args.smoke
  const transport = (args.transport ?? (smoke ? 'embedded' : 'kafka')) as TransportName
  if (transport !== 'kafka' && transport !== 'embedded') {
    console.error(`--transport must be kafka or embedded, not ${transport}`)
    process.exit(2)
  }
  const number = (value: string | undefined, fallback: number) => {
    const parsed = Number(value ?? fallback)
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`not a positive number: ${value}`)
    return parsed
  }
  const reference = readReference()[transport]
  const settings: BenchSettings = {
    connections: number(args.connections, 64),
    users: number(args.users, 200),
    stepSeconds: number(args['step-seconds'], smoke ? 15 : 10),
    ceilingSeconds: number(args['ceiling-seconds'], smoke ? 5 : 10),
    ceilingConnections: number(args['ceiling-connections'], 32),
    latencySeconds: number(args['latency-seconds'], 8),
    capacitySeconds: number(args['capacity-seconds'], 4),
    warmupSeconds: number(args['warmup-seconds'], smoke ? 3 : 15),
    logLevel: args['log-level'] ?? 'warn',
    steps: args.steps
      ? args.steps.split(',').map((step) => number(step, 0))
      : smoke
        ? // Past the reference peak, so the step measures capacity, not the offered rate.
          [Math.max(50, Math.round((reference?.peakSettledPerSec ?? 100) * 1.25))]
        : [25, 50, 100, 200, 400, 800, 1600],
  }
  return {
    transport,
    smoke,
    profile: args.profile,
    record: args.record ?? !smoke,
    settings,
    command: commandLine(argv),
  }
}

function commandLine(cliArgs: string[]): string {
  const npmScript = process.env.npm_lifecycle_event
  // Under npm, the arguments the script definition itself passes (`--smoke`) are not the user's.
  const userArgs = cliArgs.slice(
    (process.env.npm_lifecycle_script ?? '').split(/\s+/).filter((word) => word.startsWith('--')).length,
  )
  return npmScript === 'bench' || npmScript === 'bench:smoke'
    ? `npm run ${npmScript}${userArgs.length > 0 ? ` -- ${userArgs.join(' ')}` : ''}`
    : `node scripts/bench/run.ts ${cliArgs.join(' ')}`.trim()
}
