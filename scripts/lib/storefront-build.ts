import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { REPO_ROOT } from './launcher/service-process.ts'

export const STOREFRONT_DIR = join(REPO_ROOT, 'apps/storefront')
const BUILT_PAGE = join(STOREFRONT_DIR, 'dist/index.html')
/** What the build reads: when any of it is newer than the built page, the page is stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json']

function newestChange(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))))
}

/** Why the storefront must be built now, or undefined when its build is up to date. */
export function storefrontBuildReason(): string | undefined {
  if (!existsSync(BUILT_PAGE)) return 'it has not been built'
  const built = statSync(BUILT_PAGE).mtimeMs
  const changed = Math.max(...SOURCES.map((source) => newestChange(join(STOREFRONT_DIR, source))))
  return changed > built ? 'its sources changed since the last build' : undefined
}

/**
 * Builds the storefront (Vite, into apps/storefront/dist, which the gateway serves) when it is
 * missing or older than its sources, so that `npm start` and `npm test` need no build step of
 * their own on a fresh clone. Vite runs on this Node, as the services do.
 */
export function ensureStorefrontBuilt(log: (line: string) => void = console.log): void {
  const reason = storefrontBuildReason()
  if (!reason) return
  log(`Building the storefront (${reason})…`)
  const viteManifest = createRequire(join(STOREFRONT_DIR, 'package.json')).resolve('vite/package.json')
  const vite = join(dirname(viteManifest), 'bin/vite.js')
  const build = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: STOREFRONT_DIR,
    stdio: 'inherit',
  })
  if (build.status !== 0)
    throw new Error(`the storefront build failed (exit ${build.status ?? build.signal})`)
}
