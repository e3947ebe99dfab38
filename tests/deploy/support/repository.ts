/**
 * The repository as the deployment sees it: its files, its npm workspaces and the services built
 * from it, read from the checkout (paths are relative to the repository root, with `/`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TObject } from 'typebox'
import { GatewayConfig } from '../../../services/api-gateway/src/config.ts'
import { OrdersConfig } from '../../../services/orders-service/src/config.ts'
import { PaymentsConfig } from '../../../services/payments-service/src/config.ts'

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
export const exists = (path: string) => existsSync(join(ROOT, path))
export const isDirectory = (path: string) => exists(path) && statSync(join(ROOT, path)).isDirectory()

/** The file itself, or every file under the folder (installed modules aside). */
export function filesUnder(path: string): string[] {
  if (!isDirectory(path)) return [path]
  return readdirSync(join(ROOT, path)).flatMap((entry) =>
    entry === 'node_modules' ? [] : filesUnder(posix.join(path, entry)),
  )
}

/** The services built from this repository, with the config schema each one validates at boot. */
export const APP_SERVICES: Record<string, TObject> = {
  'api-gateway': GatewayConfig,
  'orders-service': OrdersConfig,
  'payments-service': PaymentsConfig,
}
export const APP_NAMES = Object.keys(APP_SERVICES)

export interface Workspace {
  name: string
  dir: string
  manifest: {
    name: string
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
  }
}

export const rootManifest = JSON.parse(read('package.json')) as {
  workspaces: string[]
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}

/** Every workspace of the root manifest, by package name. */
export const workspaces = new Map<string, Workspace>(
  rootManifest.workspaces
    .flatMap((pattern) => {
      const parent = pattern.replace(/\/\*$/, '')
      return readdirSync(join(ROOT, parent)).map((entry) => posix.join(parent, entry))
    })
    .filter((dir) => exists(`${dir}/package.json`))
    .map((dir) => {
      const manifest = JSON.parse(read(`${dir}/package.json`)) as Workspace['manifest']
      return [manifest.name, { name: manifest.name, dir, manifest }]
    }),
)

export const workspaceByDir = (dir: string) =>
  [...workspaces.values()].find((workspace) => workspace.dir === dir)

/** A workspace and the workspaces it depends on, through production dependencies. */
export function workspaceClosure(dir: string): Workspace[] {
  const seen = new Map<string, Workspace>()
  const visit = (workspace: Workspace | undefined) => {
    if (!workspace || seen.has(workspace.name)) return
    seen.set(workspace.name, workspace)
    for (const dependency of Object.keys(workspace.manifest.dependencies ?? {}))
      visit(workspaces.get(dependency))
  }
  visit(workspaceByDir(dir))
  return [...seen.values()]
}
