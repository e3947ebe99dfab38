import { describe, expect, it } from 'vitest'
import { readDecimal, readsExactly } from '../src/decimal.ts'

describe('readDecimal', () => {
  it('when one value is written in several ways, then every writing reads the same', () => {
    const writings = ['25', '25.0', '25.000', '2.5e1', '2.50E+1', '2500e-2', '0.025e3']
    for (const writing of writings) {
      expect(readDecimal(writing)).toEqual({ negative: false, digits: '25', exponent: 0 })
    }
  })

  it('when the number is zero, then it reads as one zero whatever its sign or exponent', () => {
    for (const writing of ['0', '-0', '0.000', '-0.0e-5', '0e400']) {
      expect(readDecimal(writing)).toEqual({ negative: false, digits: '0', exponent: 0 })
    }
  })

  it('when the text is not a JSON number, then it reads as nothing', () => {
    for (const text of ['Infinity', 'NaN', '.5', '5.', '+1', '0x10', '1e', '']) {
      expect(readDecimal(text)).toBeUndefined()
    }
  })
})

describe('readsExactly', () => {
  it.each([
    '25',
    '25.0',
    '25.50',
    '2.5e1',
    '1E2',
    '2500e-2',
    '-0',
    '0.07',
    '999999999.99',
    '0.30000000000000004',
    '1e-7',
  ])('when the token is %s, then its double is exactly the decimal written', (token) => {
    expect(readsExactly(token)).toBe(true)
  })

  it.each([
    '25.000000000000000001',
    '0.1000000000000000000001',
    '1e-400',
    '1e400',
    '-1e400',
    '9007199254740993',
    '12345678901234567890123456789',
  ])('when the token is %s, then its double is not what was written', (token) => {
    expect(readsExactly(token)).toBe(false)
  })
})
