/** Small helpers the chaos suite shares: time, randomness, bounded waiting. */
import { randomInt } from 'node:crypto'

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** A whole number in [min, max], both included. */
export const between = (min: number, max: number) => randomInt(min, max + 1)

export const chance = (probability: number) => Math.random() < probability

export const seconds = (ms: number) => (ms / 1000).toFixed(1)

/**
 * Polls `probe` every `intervalMs` until it returns true or `timeoutMs` passed; returns whether it
 * did. Probes that throw count as "not yet".
 */
export async function waitFor(
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 250 }: { timeoutMs: number; intervalMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() <= deadline) {
    if (await probe().catch(() => false)) return true
    await sleep(intervalMs)
  }
  return false
}

/** The first few items of a list, for evidence in a failed check. */
export const firstFew = <T>(items: readonly T[], count = 5): T[] => items.slice(0, count)
