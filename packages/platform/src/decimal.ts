/**
 * A decimal number as written in JSON: its value is `±digits × 10^exponent`, exactly. `digits`
 * has no leading or trailing zeros (zero is `'0'` with exponent 0, never negative), so two
 * writings of one value, such as `25`, `25.0`, `2.5e1` and `2500e-2`, read the same.
 */
export interface Decimal {
  negative: boolean
  digits: string
  exponent: number
}

const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/
const ZERO: Decimal = { negative: false, digits: '0', exponent: 0 }

/** Reads a JSON number token (or what `String(number)` prints) without going through binary floating point. */
export function readDecimal(text: string): Decimal | undefined {
  const match = JSON_NUMBER.exec(text)
  if (!match) return undefined
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match
  const allDigits = whole + fraction
  const first = allDigits.search(/[1-9]/)
  if (first === -1) return ZERO
  const significant = allDigits.slice(first).replace(/0+$/, '')
  const trailingZeros = allDigits.length - first - significant.length
  return {
    negative: sign === '-',
    digits: significant,
    exponent: Number(exponent) - fraction.length + trailingZeros,
  }
}

const sameDecimal = (a: Decimal, b: Decimal) =>
  a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent

/**
 * Whether the double that `JSON.parse` makes of a number token is exactly the decimal written,
 * as JavaScript prints it back. `25.000000000000000001` becomes 25, `1e-400` becomes 0, and `1e400`
 * Infinity: code that sees only the double cannot tell, so such a token must be refused where the
 * text is still at hand.
 */
export function readsExactly(token: string): boolean {
  // Up to 15 digits without an exponent: a double holds every such decimal, and prints it back
  // (DBL_DIG is 15). That is nearly every number a client sends, so it skips the reading below.
  if (token.length <= 15 && !token.includes('e') && !token.includes('E')) return true
  const written = readDecimal(token)
  const read = readDecimal(String(Number(token)))
  return written !== undefined && read !== undefined && sameDecimal(written, read)
}
