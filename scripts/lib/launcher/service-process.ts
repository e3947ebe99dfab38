import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { freePort } from '../free-port.ts'

// The launchers' callers take the free port they hand a service from here.
export { freePort }

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * What Node runs before a service's entry point: the tracing instrumentations must patch `node:http`
 * and `pg` before the service loads them. Without an OTLP endpoint set it loads nothing more.
 */
export const SERVICE_NODE_OPTIONS = ['--import', './packages/platform/src/telemetry/instrument.ts']

export type ServiceName = 'api-gateway' | 'orders-service' | 'payments-service'

/** What Node is given to run a service: the instrumentation first, then the service's entry point. */
export function serviceArguments(name: ServiceName): string[] {
  return [...SERVICE_NODE_OPTIONS, `services/${name}/src/server.ts`]
}

/** Where a service listens: its API and its metrics, on loopback. */
export function listenerEnv(port: number, metricsPort: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
  }
}

export interface ServiceProcess {
  name: ServiceName
  url: string
  /** Where the process serves `GET /metrics`: a listener of its own, on loopback. */
  metricsUrl: string
  child: ChildProcess
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Runs one service as its own OS process on this Node (type stripping runs the TypeScript as is)
 * and resolves once its `/health` answers.
 */
export async function startServiceProcess(options: {
  name: ServiceName
  port: number
  /** The metrics listener's port; a free one when not given. */
  metricsPort?: number
  env: Record<string, string | undefined>
  /** Where the service's log lines (stdout) go; errors (stderr) always reach the console. */
  output?: 'inherit' | 'ignore' | 'pipe'
  startTimeoutMs?: number
}): Promise<ServiceProcess> {
  const url = `http://127.0.0.1:${options.port}`
  const metricsPort = options.metricsPort ?? (await freePort())
  const child = spawn(process.execPath, serviceArguments(options.name), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, ...listenerEnv(options.port, metricsPort) },
    stdio: ['ignore', options.output ?? 'inherit', 'inherit'],
  })
  const exited = once(child, 'exit')
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000)
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${options.name} exited with code ${child.exitCode} during start`)
    const healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    )
    if (healthy)
      return { name: options.name, url, metricsUrl: `http://127.0.0.1:${metricsPort}`, child, stop }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop(1_000)
  throw new Error(`${options.name} did not become healthy on ${url}`)
}
