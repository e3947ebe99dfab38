/** Helpers for tests that run a launcher (`npm start` and the like) as a process of its own. */
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdir, readFile } from 'node:fs/promises'

/** What a launched process runs with: none of this process's servers, nor the CI flag (a test run inside would refuse to leave out the Kafka suites). */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  for (const name of [
    'DATABASE_URL',
    'ORDERS_DATABASE_URL',
    'PAYMENTS_DATABASE_URL',
    'BROKER_DATABASE_URL',
    'TEST_DATABASE_URL',
    'KAFKA_BOOTSTRAP_SERVERS',
    'CI',
  ])
    delete env[name]
  return env
}

/** A child's stdout and stderr, kept to show when it fails. */
export function captureOutput(child: ChildProcess): () => string {
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  return () => output
}

export async function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode
  const [code, signal] = (await once(child, 'exit', { signal: AbortSignal.timeout(timeoutMs) })) as [
    number | null,
    string | null,
  ]
  return code ?? signal
}

interface RunningProcess {
  pid: number
  /** Its arguments, the program first. */
  args: string[]
  /** Its process group. */
  group: number
}

/** Every process on this machine, as /proc shows it (one that ends meanwhile is left out). */
async function runningProcesses(): Promise<RunningProcess[]> {
  const found: RunningProcess[] = []
  for (const pid of (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry))) {
    const [commandLine, stat] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''),
    ])
    if (!stat) continue
    // stat: pid (comm) state ppid pgrp …; the command name may hold spaces, so count from its ')'.
    const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
    found.push({ pid: Number(pid), args: commandLine.split('\0').filter(Boolean), group })
  }
  return found
}

/** Processes whose command line names the directory: a PostgreSQL left running on it. */
export async function processesNaming(directory: string): Promise<string[]> {
  return (await runningProcesses())
    .filter((each) => each.args.includes(directory))
    .map((each) => `${each.pid}: ${each.args.join(' ')}`)
}

/** Processes of the process group that were given the argument: one service of a launch, say. */
export async function processesInGroup(groupId: number, argument: string): Promise<number[]> {
  return (await runningProcesses())
    .filter((each) => each.group === groupId && each.args.includes(argument))
    .map((each) => each.pid)
}
