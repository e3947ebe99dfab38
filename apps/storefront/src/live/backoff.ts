const FIRST_DELAY_MS = 500
const MAX_DELAY_MS = 30_000

/**
 * How long to wait before reconnection attempt `attempt` (0 for the first retry): doubling from
 * half a second up to 30 s, each a random 50–100% of that, so that the pages of a whole shop do
 * not all come back in the same instant after a restart.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 16))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
