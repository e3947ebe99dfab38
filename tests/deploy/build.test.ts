/**
 * How docker-compose.yml builds the services' images: every one from the single Dockerfile at the
 * repository root, told which service by its build args, with the repository root as context and
 * .dockerignore keeping what no image runs (or must see) out of that context. What the Dockerfile
 * makes of each service's args is in dockerfile.test.ts.
 */
import { posix } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildOf, environmentOf } from './support/compose.ts'
import { declaredArgs } from './support/dockerfile.ts'
import { dockerignore } from './support/image.ts'
import { APP_NAMES, exists, isDirectory, read } from './support/repository.ts'

describe('docker-compose.yml builds', () => {
  it('builds every service from the root Dockerfile, with the repository root as context', () => {
    for (const name of APP_NAMES) {
      const { context, dockerfile, args } = buildOf(name)
      expect(posix.normalize(context), name).toBe('.')
      expect(dockerfile, name).toBe('Dockerfile')
      // SERVICE picks the folder under services/; PORT is what the image exposes and listens on.
      expect(args, name).toEqual({ SERVICE: name, PORT: environmentOf(name).PORT })
      expect(isDirectory(`services/${args.SERVICE}`), name).toBe(true)
      // One recipe for all: a copy in the service's folder would drift from it unnoticed.
      expect(exists(`services/${name}/Dockerfile`), name).toBe(false)
    }
  })

  it('passes every build arg the Dockerfile needs, and only args it declares', () => {
    const declared = declaredArgs(read('Dockerfile'))
    const required = [...declared].filter(([, hasDefault]) => !hasDefault).map(([arg]) => arg)
    for (const name of APP_NAMES) {
      const given = Object.keys(buildOf(name).args)
      // A missing arg expands to nothing (services//...); an unknown one is ignored with a warning.
      expect(
        required.filter((arg) => !given.includes(arg)),
        name,
      ).toEqual([])
      expect(
        given.filter((arg) => !declared.has(arg)),
        name,
      ).toEqual([])
    }
  })
})

describe('.dockerignore', () => {
  const ignored = dockerignore()

  it('keeps installed modules, local state, secrets and tests out of the build context', () => {
    for (const path of [
      'node_modules/fastify/package.json',
      'packages/platform/node_modules/x/index.js',
      '.git/HEAD',
      '.env',
      '.env.local',
      // The image copies a service's folder as a whole: what is in it must stay out too.
      'services/orders-service/.env',
      'services/api-gateway/node_modules/x/index.js',
      'services/api-gateway/test/forward.test.ts',
      '.data/postgres/PG_VERSION',
      '.cache/kafka/x.jar',
      'coverage/index.html',
      'tests/e2e/shop-flows.ts',
      'services/orders-service/test/place-order.test.ts',
      // The storefront is built inside the image, never taken from a local build.
      'apps/storefront/dist/index.html',
      'apps/storefront/node_modules/vite/package.json',
      'apps/storefront/test/shop-state.test.ts',
    ]) {
      expect(ignored(path), path).toBe(true)
    }
  })
})
