import { isUuid, normaliseUuid } from '@shop/contracts/browser'

/** The user id in its canonical form (lower case, no surrounding blanks), or undefined if it is not one. */
export function normalizeUserId(text: string): string | undefined {
  const trimmed = text.trim()
  // The same rule as the API's X-User-Id: a hyphenated hex UUID of any version.
  return isUuid(trimmed) ? normaliseUuid(trimmed) : undefined
}

/** What a new id is made from: the browser's `crypto`, or a stand-in in tests. */
export interface RandomSource {
  randomUUID?: () => string
  getRandomValues(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer>
}

/**
 * A fresh random (version 4) UUID. crypto.randomUUID exists only in secure contexts (https or
 * localhost); a shop opened by its LAN address over http still gets random bytes this way.
 */
export function newUserId(random: RandomSource): string {
  if (random.randomUUID) return random.randomUUID()
  const bytes = random.getRandomValues(new Uint8Array(16))
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
