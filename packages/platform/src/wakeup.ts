/**
 * Lets a background loop sleep until either a timeout passes or something signals new work.
 * A signal that arrives while the loop is busy is remembered, so no wake-up is lost between
 * "found nothing" and "started waiting".
 */
export class Wakeup {
  #pending = false
  #wake: (() => void) | undefined

  signal(): void {
    if (this.#wake) this.#wake()
    else this.#pending = true
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs)
      const self = this
      function done() {
        clearTimeout(timer)
        self.#wake = undefined
        resolve()
      }
      this.#wake = done
    })
  }
}

/** Exponential backoff with full jitter, so restarted consumers do not retry in lockstep. */
export function backoffMs(attempt: number, baseMs = 100, maxMs = 5_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16))
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
