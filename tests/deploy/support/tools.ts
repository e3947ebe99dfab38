/**
 * The tools that check the deployment without a cluster: kubectl (its built-in kustomize renders
 * the overlays), kubernetes-validate (the Kubernetes schemas, from PyPI, in a virtual environment
 * under .cache/ made on first use) and promtool (Prometheus' own rule checker, unpacked from
 * Debian's prometheus package into .cache/: nothing is installed or started as a service).
 * kubectl is preinstalled on these machines; Debian 12's own (kubernetes-client, 1.20) is too old
 * for kustomize components, so it is not installed by .ci/run. Where a tool cannot be had, its
 * tests say they were skipped and why; in CI (CI=true) that is a failure, as for the Kafka suites.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './repository.ts'

const TOOLS_DIR = join(ROOT, '.cache', 'deploy-tools')
const KUBERNETES_VALIDATE = 'kubernetes-validate==1.37.0'
const VENV = join(TOOLS_DIR, 'venv-kubernetes-validate-1.37.0')
export const VENV_PYTHON = join(VENV, 'bin', 'python')
const PROMTOOL_DIR = join(TOOLS_DIR, 'prometheus-deb')

export interface Tool {
  /** The command to run, or undefined when the tool cannot be had here. */
  command?: string
  /** Why the tool cannot be had, for the skip message. */
  unavailable?: string
}

const onPath = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0

/** In CI a missing tool fails the run; elsewhere the tests that need it are skipped and say so. */
function required(what: string, tool: Tool): Tool {
  if (tool.unavailable === undefined) return tool
  if (process.env.CI === 'true') throw new Error(`${what} must run in CI, but cannot: ${tool.unavailable}`)
  console.warn(`\n  SKIPPED: ${what}: ${tool.unavailable}\n`)
  return tool
}

export function kubectl(what: string): Tool {
  return required(
    what,
    onPath('kubectl') ? { command: 'kubectl' } : { unavailable: 'kubectl is not installed' },
  )
}

/** A Python with kubernetes-validate, made once under .cache/ (pip reads PyPI). */
export function kubernetesValidatePython(what: string): Tool {
  const make = (): Tool => {
    if (existsSync(VENV_PYTHON)) return { command: VENV_PYTHON }
    if (!onPath('python3')) return { unavailable: 'python3 is not installed' }
    mkdirSync(TOOLS_DIR, { recursive: true })
    try {
      execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'pipe' })
      execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', KUBERNETES_VALIDATE], { stdio: 'pipe' })
      return { command: VENV_PYTHON }
    } catch (error) {
      rmSync(VENV, { recursive: true, force: true })
      const detail = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1)
      return { unavailable: `cannot make a virtual environment with ${KUBERNETES_VALIDATE}: ${detail}` }
    }
  }
  return required(what, make())
}

/** promtool: on PATH, or unpacked from Debian's prometheus package (apt-get download). */
export function promtool(what: string): Tool {
  const unpacked = join(PROMTOOL_DIR, 'usr', 'bin', 'promtool')
  const make = (): Tool => {
    if (onPath('promtool')) return { command: 'promtool' }
    if (existsSync(unpacked)) return { command: unpacked }
    if (!onPath('apt-get')) return { unavailable: 'no promtool, and no apt-get to fetch it' }
    mkdirSync(PROMTOOL_DIR, { recursive: true })
    try {
      execFileSync('apt-get', ['download', '-qq', 'prometheus'], { cwd: PROMTOOL_DIR, stdio: 'pipe' })
      const deb = readdirSync(PROMTOOL_DIR).find((file) => file.endsWith('.deb')) as string
      execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "${deb}" | tar -x ./usr/bin/promtool`], {
        cwd: PROMTOOL_DIR,
        stdio: 'pipe',
      })
      rmSync(join(PROMTOOL_DIR, deb))
      return { command: unpacked }
    } catch (error) {
      const detail = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1)
      return { unavailable: `cannot fetch Debian's prometheus package for promtool: ${detail}` }
    }
  }
  return required(what, make())
}
