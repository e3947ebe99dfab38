import { validationFailed } from './errors.ts'

/** Amounts are JSON numbers; the shortest decimal that round-trips tells how many digits the client sent. */
const AT_MOST_TWO_FRACTION_DIGITS = /^\d+(\.\d{1,2})?$/

/**
 * Converts a validated, non-negative JSON number to integer minor units (cents), refusing more than
 * two fraction digits instead of rounding a customer's money silently.
 */
export function toMinorUnits(amount: number, field: string): number {
  const decimal = String(amount)
  if (!AT_MOST_TWO_FRACTION_DIGITS.test(decimal)) {
    throw validationFailed(`${field} must have at most 2 fraction digits`)
  }
  const [whole = '0', fraction = ''] = decimal.split('.')
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'))
}

/** Minor units (as PostgreSQL returns bigint: a string) back to the JSON number clients see. */
export function fromMinorUnits(minor: number | string | bigint): number {
  return Number(minor) / 100
}
