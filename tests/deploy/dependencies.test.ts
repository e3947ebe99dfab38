/**
 * Production dependencies, checked without installing anything: an image runs on what
 * `npm ci --omit=dev --workspace=services/<service>` installs (see dockerfile.test.ts), so every
 * package a workspace imports at run time must be declared, locked, and part of that install.
 * A package that is only hoisted from a dev dependency works under `npm test` and fails in the image.
 */
import { describe, expect, it } from 'vitest'
import { lock, productionInstall, resolveInLock, sourceImports } from './support/lock.ts'
import { APP_NAMES, workspaceClosure, workspaces } from './support/repository.ts'

describe('production dependencies', () => {
  it.each([...workspaces.values()].map((workspace) => [workspace.name, workspace] as const))(
    '%s declares every package its sources import',
    (_, workspace) => {
      const declared = new Set([workspace.name, ...Object.keys(workspace.manifest.dependencies ?? {})])
      const undeclared = [...sourceImports(workspace)].filter((name) => !declared.has(name)).sort()
      expect(undeclared).toEqual([])
    },
  )

  describe.each(APP_NAMES)('%s', (name) => {
    const closure = workspaceClosure(`services/${name}`)

    it("matches package-lock.json, so that the image's npm ci accepts it", () => {
      for (const workspace of closure) {
        expect(lock.packages[workspace.dir]?.dependencies ?? {}, workspace.dir).toEqual(
          workspace.manifest.dependencies ?? {},
        )
        expect(lock.packages[`node_modules/${workspace.name}`], workspace.name).toMatchObject({
          link: true,
          resolved: workspace.dir,
        })
      }
    })

    it('gets every package it imports, and no dev-only one, from a production install', () => {
      const installed = productionInstall(`services/${name}`)
      for (const workspace of closure) {
        for (const imported of sourceImports(workspace)) {
          const location = resolveInLock(workspace.dir, imported)
          expect(location, `${workspace.name} imports ${imported}`).toBeDefined()
          expect(installed.has(location as string), `${workspace.name} imports ${imported}`).toBe(true)
        }
      }
      expect([...installed].filter((location) => lock.packages[location]?.dev)).toEqual([])
      expect(installed.has('node_modules/node')).toBe(false)
    })
  })
})
