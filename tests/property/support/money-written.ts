import { BrokenPromise } from './expectations.ts'
import type { RawRequest, RawResponse } from './raw-http.ts'
import type { Fingerprint } from './stored-state.ts'

/**
 * The cents a JSON number token denotes, worked out on its digits (no float on the way), or
 * undefined when it is not a whole number of cents.
 */
export function centsOf(token: string): bigint | undefined {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token)
  if (!match) return undefined
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match
  const scale = Number(exponent) - fraction.length + 2
  if (!Number.isSafeInteger(scale) || Math.abs(scale) > 1_000) return undefined
  const digits = BigInt(whole + fraction)
  const divisor = scale < 0 ? 10n ** BigInt(-scale) : 1n
  if (digits % divisor !== 0n) return undefined
  const cents = (digits / divisor) * 10n ** BigInt(Math.max(scale, 0))
  return sign === '-' ? -cents : cents
}

/** The text of a top-level number field exactly as the body wrote it (JSON.parse's source text). */
function writtenField(body: Buffer | undefined, field: string): string | undefined {
  const text = body?.toString('utf8') ?? ''
  if (text.trim() === '') return undefined
  const sources = new Map<object, string>()
  const root = JSON.parse(text, function (this: object, key, value, context?: { source?: string }) {
    if (key === field && context?.source !== undefined) sources.set(this, context.source)
    return value
  })
  return typeof root === 'object' && root !== null ? sources.get(root) : undefined
}

/** What each accepted money write must change, and by how much, given the cents written. */
const MONEY_WRITES: Record<string, { field: string; column: string; deltas: (cents: bigint) => bigint[] }> = {
  'POST /accounts': { field: 'initial_balance', column: 'balances', deltas: (cents) => [cents] },
  'POST /accounts/topup': { field: 'amount', column: 'balances', deltas: (cents) => [cents] },
  // The same charge again answers the same and takes nothing.
  'POST /accounts/charge': { field: 'amount', column: 'balances', deltas: (cents) => [-cents, 0n] },
  'POST /orders': { field: 'amount', column: 'orders_amount', deltas: (cents) => [cents] },
}

/**
 * An accepted money write moved exactly the cents the client wrote, as written: not what a double
 * made of them. A replayed answer (Idempotency-Key) moved nothing.
 */
export function expectExactMoney(
  endpoint: string,
  raw: RawRequest,
  response: RawResponse,
  before: Fingerprint,
  after: Fingerprint,
): void {
  const write = MONEY_WRITES[endpoint]
  if (!write) return
  const token = writtenField(raw.body, write.field)
  const cents = token === undefined ? 0n : centsOf(token)
  if (cents === undefined) {
    throw new BrokenPromise(
      `a ${response.status} for ${write.field} ${token}, not a whole number of cents`,
      raw,
      response,
    )
  }
  const moved = BigInt(after[write.column] ?? '0') - BigInt(before[write.column] ?? '0')
  const expected = response.headers['idempotent-replayed'] === 'true' ? [0n] : write.deltas(cents)
  if (!expected.includes(moved)) {
    throw new BrokenPromise(
      `${write.field} ${token} moved ${write.column} by ${moved} minor units, not ${expected.join(' or ')}`,
      raw,
      response,
    )
  }
}
