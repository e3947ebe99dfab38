// Runs a real single-node Apache Kafka 4.1 broker (KRaft, no ZooKeeper) for
// development and tests. It exists because these machines have no Docker
// engine and Kafka is packaged in neither Debian nor npm: the broker is taken
// from Maven Central jars (jars.ts) and runs on the system JDK (17+).
//
//   node scripts/kafka/broker.ts start   foreground broker on 127.0.0.1:9092 (env KAFKA_PORT; the
//                                        controller takes the next port), data kept in .data/kafka;
//                                        Ctrl-C or SIGTERM stops it cleanly
//   node scripts/kafka/broker.ts jars    only fetch and cache the jars
//
//   const kafka = await startKafkaBroker()   // free ports, throwaway data dir
//   ... connect clients to kafka.bootstrap ...
//   await kafka.stop()

import type { ChildProcess, StdioOptions } from 'node:child_process'
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { log4jProperties, newClusterId, serverProperties } from './config.ts'
import { ensureKafkaJars, repoRoot } from './jars.ts'
import { accepts, reservePorts } from './ports.ts'

export { ensureKafkaJars } from './jars.ts'

export type KafkaBrokerOptions = {
  port?: number
  controllerPort?: number
  /** Reused if already formatted; without it a temp dir is made and removed by stop(). */
  dataDir?: string
  logFile?: string
  /**
   * In a process group of its own, out of reach of a terminal's Ctrl-C, and left running on this
   * process's SIGINT and SIGTERM: the caller stops it, after what uses it (the launcher does).
   */
  detached?: boolean
}

export type KafkaBroker = {
  bootstrap: string
  port: number
  dataDir: string
  logFile: string
  /** Settles with the JVM's exit code when it ends, whoever ended it. */
  exited: Promise<number | null>
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 15_000
const SETPRIV = '/usr/bin/setpriv'

export async function startKafkaBroker(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const jarsDir = await ensureKafkaJars()
  const { port, controllerPort } = await reservePorts(options)
  const ownsDataDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kafka-')))
  const storageDir = join(dataDir, 'storage')
  const logFile = options.logFile ?? join(dataDir, 'server.log')
  const propsFile = join(dataDir, 'server.properties')
  const log4jFile = join(dataDir, 'log4j2.properties')

  await mkdir(dataDir, { recursive: true })
  await writeFile(propsFile, serverProperties({ port, controllerPort }, storageDir))
  await writeFile(log4jFile, log4jProperties(logFile))

  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
  const classpath = ['-cp', join(jarsDir, '*')]
  if (!existsSync(join(storageDir, 'meta.properties'))) await formatStorage(java, classpath, propsFile)

  // JVM errors that happen before log4j starts (bad flags, wrong Java) only
  // reach stdout/stderr, so send those to the same file.
  const out = await open(logFile, 'a')
  const args = [
    '-Xms256m',
    '-Xmx512m',
    // The broker's own work here is light; what costs CPU is the C2 compiler, which spent more
    // than all request handling together in the minutes after a start (a JFR recording during
    // the benchmark), on a machine whose two cores the services and PostgreSQL need. C1 alone
    // compiles a fraction as much, for code that is fast enough for this load.
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    ...classpath,
    'kafka.Kafka',
    propsFile,
  ]
  const stdio: StdioOptions = ['ignore', out.fd, out.fd]
  // setpriv asks the kernel to SIGTERM the JVM when this process dies, even by
  // SIGKILL, so a crashed test run cannot leave a broker holding the port.
  const spawnOptions = { stdio, detached: options.detached === true }
  const child = existsSync(SETPRIV)
    ? spawn(SETPRIV, ['--pdeathsig', 'TERM', '--', java, ...args], spawnOptions)
    : spawn(java, args, spawnOptions)
  await out.close()
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null)) // e.g. java not installed
  })
  killWithParent(child, { onSignals: options.detached !== true })

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM') // Kafka's shutdown hook closes its logs, so the next start skips recovery
        const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
        await exited
        clearTimeout(escalate)
      }
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true })
    })())

  const failure = await waitUntilReady(port, exited)
  if (failure) {
    const log = await readFile(logFile, 'utf8').catch(() => '')
    const lastLines = log.trimEnd().split('\n').slice(-30).join('\n')
    await stop()
    throw new Error(`Kafka broker ${failure}; last lines of ${logFile}:\n${lastLines}`)
  }
  return { bootstrap: `127.0.0.1:${port}`, port, dataDir, logFile, exited, stop }
}

// Kafka refuses to start on storage that carries no cluster id.
async function formatStorage(java: string, classpath: string[], propsFile: string) {
  const args = [...classpath, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propsFile]
  try {
    await promisify(execFile)(java, args)
  } catch (err) {
    // The message already holds stderr; the formatter explains itself on stdout.
    const { message, stdout = '' } = err as Error & { stdout?: string }
    throw new Error(`formatting Kafka storage failed: ${message}\n${stdout}`.trimEnd())
  }
}

// The broker binds its client port only once it can serve requests, so an
// accepted TCP connection means ready. Returns why it never got there.
async function waitUntilReady(port: number, exited: Promise<number | null>): Promise<string | undefined> {
  let exitCode: number | null | undefined
  exited.then((code) => {
    exitCode = code
  })
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (!(await accepts(port))) {
    if (exitCode !== undefined) return `exited (code ${exitCode}) before it was ready`
    if (Date.now() > deadline) return `was not ready after ${READY_TIMEOUT_MS / 1000} s`
    await sleep(100)
  }
  return undefined
}

// Covers exits setpriv cannot (process.exit, or no setpriv on this OS). One
// shared handler, so that it can tell whether anyone else handles the signal
// and otherwise keep Node's default of exiting.
const liveJvms = new Set<ChildProcess>()
/** The JVMs a signal to this process stops too (all but the detached ones). */
const signalledJvms = new Set<ChildProcess>()
const killLiveJvms = () => {
  for (const jvm of liveJvms) jvm.kill('SIGTERM')
}
function onParentSignal(signal: NodeJS.Signals) {
  for (const jvm of signalledJvms) jvm.kill('SIGTERM')
  if (process.listenerCount(signal) === 1) {
    process.off(signal, onParentSignal)
    process.kill(process.pid, signal)
  }
}
function killWithParent(child: ChildProcess, { onSignals }: { onSignals: boolean }) {
  if (liveJvms.size === 0) process.on('exit', killLiveJvms)
  if (onSignals && signalledJvms.size === 0)
    process.on('SIGINT', onParentSignal).on('SIGTERM', onParentSignal)
  liveJvms.add(child)
  if (onSignals) signalledJvms.add(child)
  child.once('exit', () => {
    liveJvms.delete(child)
    if (liveJvms.size === 0) process.off('exit', killLiveJvms)
    if (signalledJvms.delete(child) && signalledJvms.size === 0)
      process.off('SIGINT', onParentSignal).off('SIGTERM', onParentSignal)
  })
}

async function main(command: string | undefined) {
  if (command === 'jars') {
    console.log(await ensureKafkaJars())
    return
  }
  if (command !== 'start') {
    console.error('usage: node scripts/kafka/broker.ts start|jars')
    process.exitCode = 2
    return
  }
  const port = Number(process.env.KAFKA_PORT || 9092)
  if (!Number.isInteger(port) || port <= 0 || port >= 65535)
    throw new Error(`bad KAFKA_PORT: ${process.env.KAFKA_PORT}`)
  const broker = await startKafkaBroker({
    port,
    controllerPort: port + 1,
    dataDir: join(repoRoot, '.data', 'kafka'),
  })
  console.log(`Kafka ready: bootstrap ${broker.bootstrap} (log ${broker.logFile})`)
  let stopping = false
  const shutdown = () => {
    stopping = true
    broker.stop().then(() => process.exit(0))
  }
  process.once('SIGINT', shutdown).once('SIGTERM', shutdown)
  const code = await broker.exited
  if (!stopping) {
    console.error(`Kafka exited unexpectedly (code ${code}); see ${broker.logFile}`)
    process.exit(1)
  }
}

if (import.meta.main) {
  main(process.argv[2]).catch((err: Error) => {
    console.error(err.message)
    process.exit(1)
  })
}
