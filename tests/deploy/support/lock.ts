/**
 * What a production install contains, worked out from package-lock.json the way npm and Node
 * resolve packages, and what the sources import at run time.
 */
import { builtinModules } from 'node:module'
import { filesUnder, read, type Workspace } from './repository.ts'

const BUILTINS = new Set(builtinModules)

/** Packages the module loads at run time: bare specifiers of non-type-only imports and exports. */
export function runtimeImports(source: string): Set<string> {
  const statements =
    /(?:^|[;\n])\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g
  const names = new Set<string>()
  for (const match of source.matchAll(statements)) {
    if (match[2]) continue // `import type` / `export type`: erased before Node runs the file
    const specifier = (match[3] ?? match[4] ?? match[5]) as string
    if (/^(\.|\/|node:|#)/.test(specifier)) continue
    const parts = specifier.split('/')
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string)
    if (!BUILTINS.has(name)) names.add(name)
  }
  return names
}

export function sourceImports(workspace: Workspace): Set<string> {
  const files = filesUnder(`${workspace.dir}/src`).filter((file) => /\.[cm]?[jt]s$/.test(file))
  return new Set(files.flatMap((file) => [...runtimeImports(read(file))]))
}

export interface LockEntry {
  version?: string
  link?: boolean
  resolved?: string
  dev?: boolean
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}
export const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> }

/** Node's lookup of `name` from the lock's location `from` (a workspace dir or a node_modules path). */
export function resolveInLock(from: string, name: string): string | undefined {
  let base = from
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`
    const entry = lock.packages[candidate]
    if (entry) return entry.link && entry.resolved ? entry.resolved : candidate
    if (base === '') return undefined
    const parent = base.lastIndexOf('/node_modules/')
    base = parent >= 0 ? base.slice(0, parent) : ''
  }
}

/** Lock locations `npm ci --omit=dev --workspace=<dir>` installs: the workspace's production closure. */
export function productionInstall(dir: string): Set<string> {
  const installed = new Set<string>()
  const visit = (location: string) => {
    if (installed.has(location)) return
    installed.add(location)
    const entry = lock.packages[location] ?? {}
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([peer]) => peer)
    const required = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((peer) => !optionalPeers.includes(peer)),
    ]
    for (const dependency of required) {
      const resolved = resolveInLock(location, dependency)
      if (resolved === undefined) throw new Error(`${location}: ${dependency} is not in package-lock.json`)
      visit(resolved)
    }
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
      const resolved = resolveInLock(location, dependency)
      if (resolved !== undefined) visit(resolved)
    }
  }
  visit(dir)
  return installed
}
