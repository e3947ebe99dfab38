import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { measureFloor } from '../../scripts/bench/lib/floor.ts'
import { withDatabase } from '../../scripts/lib/embedded-postgres.ts'

const database = `bench_floor_${randomBytes(4).toString('hex')}`
const adminUrl = inject('pgAdminUrl')

afterAll(async () => {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
  await admin.end()
})

describe('the benchmark floor', () => {
  it('when driven at rising rates, then the accept-only server writes one order row per 201 and the ramp stops where accepted/s stops rising', async () => {
    const lines: string[] = []
    const floor = await measureFloor({
      adminUrl,
      database,
      connections: 4,
      users: [randomUUID(), randomUUID()],
      firstRate: 20,
      stepSeconds: 1,
      log: (line) => lines.push(line),
    })

    expect(floor.acceptedPerSec).toBeGreaterThan(0)
    expect(floor.steps.length).toBeGreaterThanOrEqual(2)
    const [last, beforeLast] = [floor.steps.at(-1), floor.steps.at(-2)]
    // Every step but the last rose by more than 5 % over the best before it.
    expect(last?.acceptedPerSec ?? 0).toBeLessThanOrEqual(
      Math.max(...floor.steps.slice(0, -1).map((step) => step.acceptedPerSec)) * 1.05,
    )
    expect(beforeLast?.rate).toBe((last?.rate ?? 0) / 2)
    expect(lines).toHaveLength(floor.steps.length)

    const client = new pg.Client({ connectionString: withDatabase(adminUrl, database) })
    await client.connect()
    const { rows } = await client.query('SELECT count(*)::int AS orders FROM orders.orders')
    const outbox = await client.query('SELECT count(*)::int AS rows FROM orders.outbox')
    await client.end()
    expect(floor.steps.map((step) => step.errors)).toEqual(floor.steps.map(() => 0))
    expect(rows[0].orders).toBe(floor.steps.reduce((sum, step) => sum + step.accepted, 0))
    expect(outbox.rows[0].rows).toBe(0)
  }, 120_000)
})
