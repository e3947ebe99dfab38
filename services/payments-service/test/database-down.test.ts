import { randomUUID } from 'node:crypto'
import { createPool } from '@shop/platform'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../scripts/lib/launcher/service-process.ts'
import { testLogger } from '../../../tests/support/logger.ts'
import { buildApp } from '../src/app.ts'

describe('when the database cannot be reached', () => {
  const pools: ReturnType<typeof createPool>[] = []
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()))
  })

  it('then requests get 503 problem JSON with Retry-After, not a 500', async () => {
    // A port nobody listens on: every connection attempt is refused at once.
    const pool = createPool({
      connectionString: `postgresql://postgres:postgres@127.0.0.1:${await freePort()}/nowhere`,
      schema: 'payments',
      applicationName: 'test',
    })
    pools.push(pool)
    const app = await buildApp({ pool, logger: testLogger })
    const response = await app.inject({
      method: 'GET',
      url: '/accounts/balance',
      headers: { 'x-user-id': randomUUID() },
    })
    await app.close()

    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('1')
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.json()).toMatchObject({ code: 'service_unavailable' })
  })
})
