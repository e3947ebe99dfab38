import { describe, expect, it } from 'vitest'
import { stableHash } from '../src/transport/embedded/keys.ts'
import { backoffMs, Wakeup } from '../src/wakeup.ts'

describe('Wakeup', () => {
  it('when signalled before waiting, then the next wait returns at once', async () => {
    const wakeup = new Wakeup()
    wakeup.signal()
    const started = Date.now()
    await wakeup.wait(10_000)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('when signalled while waiting, then the wait ends early', async () => {
    const wakeup = new Wakeup()
    setTimeout(() => wakeup.signal(), 20)
    const started = Date.now()
    await wakeup.wait(10_000)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('when nothing signals, then the wait ends after its timeout', async () => {
    const started = Date.now()
    await new Wakeup().wait(50)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })
})

describe('backoffMs', () => {
  it('when attempts grow, then delays grow up to the cap and never below half the ceiling', () => {
    for (let attempt = 1; attempt < 30; attempt++) {
      const delay = backoffMs(attempt, 100, 5_000)
      expect(delay).toBeLessThanOrEqual(5_000)
      expect(delay).toBeGreaterThanOrEqual(Math.min(5_000, 100 * 2 ** attempt) / 2)
    }
  })
})

describe('stableHash', () => {
  it('when hashing the same text, then it returns the same non-negative int4 everywhere', () => {
    expect(stableHash('order-1')).toBe(stableHash('order-1'))
    expect(stableHash('order-1')).not.toBe(stableHash('order-2'))
    for (const text of ['', 'a', 'ü', 'a much longer key with spaces']) {
      expect(stableHash(text)).toBeGreaterThanOrEqual(0)
      expect(stableHash(text)).toBeLessThanOrEqual(0x7fffffff)
    }
  })
})
