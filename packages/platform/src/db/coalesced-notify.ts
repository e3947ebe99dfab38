import pg from 'pg'

/**
 * Sends NOTIFY through a pool, at most one at a time per channel and payload: however many
 * commits ask while one is on its way, they are answered by a single NOTIFY sent after it. A
 * listener of a wake-up only needs to hear "something changed since you last looked" after the
 * last change, which that follow-up guarantees; under load the commits then share their
 * notifications instead of paying a round trip each. A NOTIFY that fails is dropped: listeners
 * also poll.
 */
class CoalescedNotifier {
  readonly #pool: pg.Pool
  readonly #statement: string
  #inFlight = false
  #again = false

  constructor(pool: pg.Pool, statement: string) {
    this.#pool = pool
    this.#statement = statement
  }

  notify(): void {
    if (this.#inFlight) {
      this.#again = true
      return
    }
    this.#inFlight = true
    this.#pool
      .query(this.#statement)
      .catch(() => {})
      .finally(() => {
        this.#inFlight = false
        if (this.#again) {
          this.#again = false
          this.notify()
        }
      })
  }
}

const notifiers = new WeakMap<pg.Pool, Map<string, CoalescedNotifier>>()

/**
 * Notifies `channel` (an SQL expression, such as `current_schema() || '_outbox'`, evaluated on a
 * connection of the pool) with `payload` soon, sharing the NOTIFY with other calls made meanwhile.
 */
export function notifySoon(pool: pg.Pool, channelSql: string, payload = ''): void {
  const statement = `SELECT pg_notify(${channelSql}, ${pg.escapeLiteral(payload)})`
  const byStatement = notifiers.get(pool) ?? new Map<string, CoalescedNotifier>()
  notifiers.set(pool, byStatement)
  let notifier = byStatement.get(statement)
  if (!notifier) {
    notifier = new CoalescedNotifier(pool, statement)
    byStatement.set(statement, notifier)
  }
  notifier.notify()
}
