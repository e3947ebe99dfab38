import { readFileSync } from 'node:fs'
import newman, { type NewmanRunSummary } from 'newman'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PostmanFolder } from '../../scripts/lib/http-collection/postman.ts'
import { COLLECTION_FILE } from '../../scripts/lib/http-collection/render.ts'
import { SEED_FLOW_FOLDER } from '../../scripts/lib/http-collection/seed-flow.ts'
import { type RunningShop, startShop } from '../support/shop.ts'

const collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8'))
const seedFlowIds = new Set(
  (collection.item as PostmanFolder[])
    .filter((folder) => folder.name === SEED_FLOW_FOLDER)
    .flatMap((folder) => folder.item.map((item) => item.id)),
)

/** Runs the committed collection with newman, Postman's own runner, against the given gateway. */
const runCollection = (baseUrl: string) =>
  new Promise<NewmanRunSummary>((resolve, reject) => {
    newman.run(
      {
        collection,
        envVar: [{ key: 'baseUrl', value: baseUrl }],
        reporters: [],
        timeoutRequest: 10_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    )
  })

describe('the Postman collection, run with newman against the whole shop', () => {
  let shop: RunningShop
  let summary: NewmanRunSummary

  beforeAll(async () => {
    shop = await startShop()
    summary = await runCollection(shop.gateway)
  })
  afterAll(async () => {
    await shop?.stop()
  })

  const executions = () =>
    summary.run.executions.map((execution) => ({
      inSeedFlow: seedFlowIds.has(execution.item.id),
      name: execution.item.name,
      status: execution.response?.code,
      assertions: execution.assertions ?? [],
    }))

  it('when the seed flow folder runs, then every step passes its checks: the order is paid and the balance is what is left', () => {
    expect(
      summary.run.failures.map((failure) => `${failure.source?.name}: ${failure.error.message}`),
    ).toEqual([])
    const flow = executions().filter((execution) => execution.inSeedFlow)
    const steps = [...new Set(flow.map((execution) => execution.name))]
    expect(steps).toEqual([
      '1. Open an account for a new user',
      '2. Top up the account',
      '3. Place an order',
      '4. Poll the order until it is paid',
      '5. Read the balance',
    ])
    const checks = flow.flatMap((execution) => execution.assertions.map((assertion) => assertion.assertion))
    expect(checks).toEqual(expect.arrayContaining(['the order was paid: FINISHED', 'the balance is 75.5']))
  })

  it('when every endpoint request is sent as generated, then none is refused as malformed and none fails on the server', () => {
    const endpoints = executions().filter((execution) => !execution.inSeedFlow)
    expect(endpoints).toHaveLength(11)
    for (const { name, status } of endpoints) {
      // 409 is the account the flow already opened, or the cancellation of its paid order (202 is
      // a refund of that order); a malformed request would be 400 or 422.
      expect([200, 201, 202, 409], name).toContain(status)
    }
  })
})
