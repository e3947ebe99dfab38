import { describe, expect, it } from 'vitest'
import { formatAmount, parseAmount, parseOptionalAmount } from '../src/domain/money.ts'

describe('amounts typed by a person', () => {
  it.each([
    ['25', 25],
    ['25.5', 25.5],
    ['25.50', 25.5],
    ['0.01', 0.01],
    [' 7,25 ', 7.25],
    ['1000000000', 1_000_000_000],
  ])('when "%s" is typed, then it is %s', (text, value) => {
    expect(parseAmount(text)).toEqual({ ok: true, value })
  })

  it.each([
    ['', 'Enter an amount.'],
    ['   ', 'Enter an amount.'],
    ['abc', 'Enter a number with at most two decimals, like 25 or 25.50.'],
    ['1.234', 'Enter a number with at most two decimals, like 25 or 25.50.'],
    ['-5', 'Enter a number with at most two decimals, like 25 or 25.50.'],
    ['1e3', 'Enter a number with at most two decimals, like 25 or 25.50.'],
    ['0', 'The amount must be more than zero.'],
    ['0.00', 'The amount must be more than zero.'],
    ['1000000000.01', 'The amount can be at most 1,000,000,000.'],
  ])('when "%s" is typed, then it is refused: %s', (text, message) => {
    expect(parseAmount(text)).toEqual({ ok: false, message })
  })

  it('when an optional amount is left empty, then it is no amount; otherwise it is read like any amount', () => {
    expect(parseOptionalAmount('  ')).toEqual({ ok: true, value: undefined })
    expect(parseOptionalAmount(' 7,25 ')).toEqual({ ok: true, value: 7.25 })
    expect(parseOptionalAmount('0')).toEqual({ ok: false, message: 'The amount must be more than zero.' })
  })

  it('when an amount is shown, then it has two decimals and grouped thousands', () => {
    expect(formatAmount(0)).toBe('0.00')
    expect(formatAmount(25.5)).toBe('25.50')
    expect(formatAmount(1_234_567.8)).toBe('1,234,567.80')
  })
})
