import { readDecimal } from './decimal.ts'
import { validationFailed } from './errors.ts'

const MINOR_UNITS_EXPONENT = 2

/**
 * Converts a validated, non-negative JSON number to integer minor units (cents), refusing more than
 * two fraction digits instead of rounding a customer's money silently. The conversion works on the
 * decimal JavaScript prints for the number, digit by digit, never by multiplying a float; the JSON
 * body parser has already refused any number whose double is not exactly the decimal the client
 * wrote, so that decimal is the client's own.
 */
export function toMinorUnits(amount: number, field: string): number {
  const decimal = Number.isFinite(amount) ? readDecimal(String(amount)) : undefined
  if (decimal === undefined || decimal.negative) {
    throw refused(field, 'must be a non-negative number')
  }
  const shift = decimal.exponent + MINOR_UNITS_EXPONENT
  if (shift < 0) throw refused(field, 'must have at most 2 fraction digits')
  const minor = BigInt(decimal.digits) * 10n ** BigInt(shift)
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw refused(field, 'is too large')
  return Number(minor)
}

const refused = (field: string, message: string) =>
  validationFailed(`${field} ${message}`, [{ field: `/${field}`, message }])

/** Minor units (as PostgreSQL returns bigint: a string) back to the JSON number clients see. */
export function fromMinorUnits(minor: number | string | bigint): number {
  return Number(minor) / 100
}

/** Minor units as the exact decimal they stand for, two fraction digits, for text: -1250 is `-12.50`. */
export function minorUnitsAsDecimal(minor: number | string | bigint): string {
  const value = BigInt(minor)
  const magnitude = value < 0n ? -value : value
  const fraction = String(magnitude % 100n).padStart(2, '0')
  return `${value < 0n ? '-' : ''}${magnitude / 100n}.${fraction}`
}
