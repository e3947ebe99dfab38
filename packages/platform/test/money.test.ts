import { describe, expect, it } from 'vitest'
import { AppError } from '../src/errors.ts'
import { fromMinorUnits, toMinorUnits } from '../src/money.ts'

describe('toMinorUnits', () => {
  it.each([
    [150, 15000],
    [0.01, 1],
    [0.1, 10],
    [19.99, 1999],
    [1_000_000_000, 100_000_000_000],
    [0, 0],
    [1e2, 10000],
  ])('when given %d, then returns %d minor units', (amount, minor) => {
    expect(toMinorUnits(amount, 'amount')).toBe(minor)
  })

  it.each([0.001, 1.234, 0.1 + 0.2, 1e-7, Number.NaN, -1])(
    'when given %d, then refuses it with a 422 naming the field',
    (amount) => {
      const error = (() => {
        try {
          toMinorUnits(amount, 'amount')
        } catch (caught) {
          return caught
        }
      })()
      expect(error).toBeInstanceOf(AppError)
      expect(error).toMatchObject({ status: 422, code: 'validation_failed' })
      expect((error as AppError).detail).toContain('amount')
    },
  )
})

describe('fromMinorUnits', () => {
  it('when given bigint text from PostgreSQL, then returns the exact decimal number', () => {
    expect(fromMinorUnits('15001')).toBe(150.01)
    expect(fromMinorUnits('7')).toBe(0.07)
    expect(fromMinorUnits(100_000_000_000)).toBe(1_000_000_000)
  })

  it('when a value round-trips, then it is unchanged for every cent up to a large bound', () => {
    for (let minor = 0; minor < 100_000; minor += 7) {
      expect(toMinorUnits(fromMinorUnits(minor), 'amount')).toBe(minor)
    }
  })
})
