/** A whole number of seconds, minutes, hours or days, as retention settings are written: `30s`, `15m`, `24h`, `7d`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,8}(s|m|h|d)$'

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** The milliseconds a duration such as `7d` stands for; throws on anything DURATION_PATTERN refuses. */
export function parseDuration(text: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text))
    throw new Error(`not a duration like 30s, 15m, 24h or 7d: ${text}`)
  return Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS]
}
