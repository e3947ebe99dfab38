import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AppError } from '../src/errors.ts'
import { fromMinorUnits, minorUnitsAsDecimal, toMinorUnits } from '../src/money.ts'

const MAX_AMOUNT_MINOR = 100_000_000_000

const refusalOf = (run: () => unknown) => {
  try {
    run()
  } catch (caught) {
    return caught
  }
  throw new Error('not refused')
}

describe('toMinorUnits', () => {
  it.each([
    [150, 15000],
    [0.01, 1],
    [0.07, 7],
    [0.1, 10],
    [0.29, 29],
    [1.15, 115],
    [19.99, 1999],
    [999_999_999.99, 99_999_999_999],
    [1_000_000_000, 100_000_000_000],
    [0, 0],
    [-0, 0],
    [1e2, 10000],
  ])('when given %d, then returns %d minor units', (amount, minor) => {
    expect(toMinorUnits(amount, 'amount')).toBe(minor)
  })

  it.each([0.001, 1.234, 0.1 + 0.2, 1e-7, 1e21, 1e300, Number.NaN, Number.POSITIVE_INFINITY, -1, -0.01])(
    'when given %d, then refuses it with a 422 naming the field',
    (amount) => {
      const error = refusalOf(() => toMinorUnits(amount, 'amount'))

      expect(error).toBeInstanceOf(AppError)
      expect(error).toMatchObject({ status: 422, code: 'validation_failed' })
      expect((error as AppError).detail).toContain('amount')
      expect((error as AppError).errors).toEqual([{ field: '/amount', message: expect.any(String) }])
    },
  )

  it('when given any whole number of cents up to the limit, as a JSON client writes it, then returns exactly those cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AMOUNT_MINOR }), (cents) => {
        expect(toMinorUnits(cents / 100, 'amount')).toBe(cents)
      }),
      { numRuns: 5_000 },
    )
  })
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

describe('minorUnitsAsDecimal', () => {
  it.each([
    [0, '0.00'],
    [7, '0.07'],
    [1250, '12.50'],
    [-1250, '-12.50'],
    [-7, '-0.07'],
    ['10000000000000', '100000000000.00'],
  ])('when %s minor units are written, then they read %s', (minor, text) => {
    expect(minorUnitsAsDecimal(minor)).toBe(text)
  })

  it('when any whole number of cents is written and read back, then it is the same number of cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR }), (minor) => {
        const text = minorUnitsAsDecimal(minor)
        const [whole, fraction] = text.replace('-', '').split('.')
        const back = Number(BigInt(whole ?? '') * 100n + BigInt(fraction ?? ''))
        expect(text.startsWith('-') ? -back : back).toBe(minor)
      }),
    )
  })
})
