import { describe, expect, it } from 'vitest'
import { parseDuration } from '../src/retention/duration.ts'

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1d', 86_400_000],
  ])('when given %j, then it is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', '7', 'd', '0d', '-1d', '1.5d', '7 d', '7D', '1w', '07d', '7d '])(
    'when given %j, then it is refused',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/duration/)
    },
  )
})
