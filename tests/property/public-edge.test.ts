import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { ENDPOINTS, endpointOf } from './support/endpoints.ts'
import { BrokenPromise, expectWellFormed } from './support/expectations.ts'
import { knownBrokenExchange } from './support/known-deviations.ts'
import { expectExactMoney } from './support/money-written.ts'
import { sendRaw } from './support/raw-http.ts'
import { requestTo } from './support/requests.ts'
import { fuzzSettings, type ShopUnderTest, startShopUnderTest } from './support/shop-under-test.ts'

/** The problem `code` of an answer, or what kind of answer it was. */
const codeOf = (body: string): string => {
  try {
    const parsed = JSON.parse(body) as { code?: unknown }
    return typeof parsed?.code === 'string' ? parsed.code : Array.isArray(parsed) ? '(list)' : '(object)'
  } catch {
    return '(no JSON)'
  }
}

/** Per endpoint; nine endpoints, so the file sends nine times as many requests. */
const RUNS = 100

let target: ShopUnderTest

beforeAll(async () => {
  target = await startShopUnderTest()
})

afterAll(async () => {
  await target?.stop()
})

describe('any request through the gateway, against the whole running shop', () => {
  it.each(ENDPOINTS)(
    'when anything is sent to $name, then the answer is 2xx by contract, moving exactly the money written, or problem 4xx, changing nothing',
    async (endpoint) => {
      // What the runs met, printed at the end: a property that only ever saw 400s proves little.
      const outcomes = new Map<string, number>()
      const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      await fc.assert(
        fc.asyncProperty(requestTo(endpoint, target.seeded), async (raw) => {
          // Accepted orders are paid in the background; once none is pending, nothing moves by itself.
          await target.state.settled()
          const before = await target.state.fingerprint()
          const response = await sendRaw(target.shop.gateway, raw).catch((error: Error) => {
            if (knownBrokenExchange(raw, error)) return undefined
            throw new BrokenPromise(`no answer: ${error.message}`, raw)
          })
          count(response ? `${response.status} ${codeOf(response.body)}` : 'broken exchange')
          const outcome = response && expectWellFormed(raw, response)
          const after = await target.state.fingerprint()
          if (response && outcome === 'success') {
            // The endpoint the request reached, which a bent method or path may have changed.
            expectExactMoney(endpointOf(raw.method, raw.path)?.name ?? '', raw, response, before, after)
            return
          }
          if (!isDeepStrictEqual(before, after)) {
            const changed = Object.keys(after).filter((key) => before[key] !== after[key])
            const diff = changed.map((key) => `${key}: ${before[key]} → ${after[key]}`).join(', ')
            throw new BrokenPromise(`a rejected request changed what is stored (${diff})`, raw, response)
          }
        }),
        fuzzSettings(RUNS, ENDPOINTS.indexOf(endpoint)),
      )
      const seen = [...outcomes]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([outcome, n]) => `${outcome} ×${n}`)
      console.log(`${endpoint.name}: ${seen.join(', ')}`)
    },
    120_000,
  )
})
