import type { TestProject } from 'vitest/node'
import { startThrowawayPostgres } from '../../scripts/lib/launcher/databases.ts'
import { freePort } from '../../scripts/lib/launcher/service-process.ts'
import { ensureStorefrontBuilt } from '../../scripts/lib/storefront-build.ts'
import { kafkaUnavailableReason, startTestKafka } from './kafka.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the test server; each test file creates its own database from it. */
    pgAdminUrl: string
    /** Bootstrap address of the test Kafka broker; empty when the Kafka suites cannot run here. */
    kafkaBootstrap: string
  }
}

/**
 * Gives the tests real infrastructure: PostgreSQL (the server at TEST_DATABASE_URL, or an
 * embedded one in a temporary directory) and a Kafka broker when Java and Maven are present.
 * Without them the Kafka suites are skipped and said to be; in CI that is a failure.
 */
export default async function setup(project: TestProject) {
  const cleanups: (() => Promise<void>)[] = []
  // The gateway serves the storefront's build, and the browser test drives it: build it if stale.
  ensureStorefrontBuilt()
  const unavailable = kafkaUnavailableReason()
  if (unavailable && process.env.CI === 'true') {
    throw new Error(`The Kafka suites must run in CI, but cannot: ${unavailable}`)
  }
  const kafka = unavailable ? undefined : startTestKafka()

  const given = process.env.TEST_DATABASE_URL
  if (given) {
    project.provide('pgAdminUrl', given)
  } else {
    const postgres = await startThrowawayPostgres({ port: await freePort() })
    project.provide('pgAdminUrl', postgres.adminUrl)
    cleanups.push(() => postgres.stop())
  }

  if (kafka) {
    const broker = await kafka
    project.provide('kafkaBootstrap', broker.bootstrap)
    cleanups.push(broker.stop)
  } else {
    project.provide('kafkaBootstrap', '')
    console.warn(
      `\n  SKIPPED: the Kafka suites (transport contract on Kafka, end to end on Kafka): ${unavailable}\n`,
    )
  }

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  }
}
