import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'
import { freePort } from '../../scripts/lib/service-process.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the test server; each test file creates its own database from it. */
    pgAdminUrl: string
  }
}

/**
 * Gives the tests a real PostgreSQL: the server at TEST_DATABASE_URL when set, otherwise an
 * embedded one in a temporary directory, thrown away afterwards.
 */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL
  if (given) {
    project.provide('pgAdminUrl', given)
    return
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-test-pg-'))
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false })
  project.provide('pgAdminUrl', postgres.adminUrl)
  return async () => {
    await postgres.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}
