import { MAX_AMOUNT } from '@shop/contracts/browser'

/** The API's limits on an amount: positive, at most two fraction digits, at most MAX_AMOUNT. */
const AMOUNT = /^\d{1,10}(?:[.,]\d{1,2})?$/

/** What a person typed, read: the value, or why it was refused in words. */
export type Parsed<Value> = { ok: true; value: Value } | { ok: false; message: string }

export type ParsedAmount = Parsed<number>

/**
 * Reads what a person typed as an amount: digits with up to two decimals, after a point or a comma.
 * The API would refuse the rest anyway; saying so before sending is kinder.
 */
export function parseAmount(text: string): ParsedAmount {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, message: 'Enter an amount.' }
  if (!AMOUNT.test(trimmed))
    return { ok: false, message: 'Enter a number with at most two decimals, like 25 or 25.50.' }
  const value = Number(trimmed.replace(',', '.'))
  if (value <= 0) return { ok: false, message: 'The amount must be more than zero.' }
  if (value > MAX_AMOUNT) return { ok: false, message: 'The amount can be at most 1,000,000,000.' }
  return { ok: true, value }
}

/** Like parseAmount, but an empty field is no amount at all (a refund of all that is left). */
export function parseOptionalAmount(text: string): Parsed<number | undefined> {
  return text.trim() === '' ? { ok: true, value: undefined } : parseAmount(text)
}

const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** Money as the page shows it: always two decimals, thousands grouped (`1,250.00`). */
export const formatAmount = (amount: number): string => twoDecimals.format(amount)
