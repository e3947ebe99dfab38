import { findErrorBy } from '@platformatic/kafka'
import { sleep } from '../../wakeup.ts'

/** What the committer needs of a consumed message: its partition, and the commit of its offset. */
export interface Committable {
  partition: number
  commit(): void | Promise<void>
}

/** Tries of a commit the broker refused for a member epoch that a reassignment had just replaced. */
const STALE_EPOCH_TRIES = 5
const STALE_EPOCH_RETRY_MS = 200

/**
 * A commit carries the member's epoch, and a commit sent while the group moves partitions may
 * carry the one of before: the broker refuses it as stale. The member learns its new epoch from the
 * heartbeat that brings the new assignment, sent at once, so the commit is tried again shortly
 * instead of giving up the membership (which would move partitions once more, for every member).
 */
async function commit(message: Committable): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      return await message.commit()
    } catch (error) {
      const stale = findErrorBy(error as Error, 'apiId', 'STALE_MEMBER_EPOCH') !== null
      if (!stale || tries >= STALE_EPOCH_TRIES) throw error
      await sleep(STALE_EPOCH_RETRY_MS)
    }
  }
}

/**
 * Commits the offsets of handled batches behind the consumer rather than in its way: the next
 * batch is handled while the broker acknowledges the last one's offsets, which takes a broker round
 * trip out of every batch's cycle. A commit covers every earlier offset of its partition, so only
 * the last handled message of each partition is committed, and batches handled while a commit is
 * in flight are folded into the next one: offsets only move forward, and what waits is bounded by
 * the partitions, not the batches. A commit that never lands costs nothing but redelivery, which
 * the inbox absorbs; its error is raised by the next `add` so the member reconnects.
 */
export class OffsetCommitter {
  readonly #pending = new Map<number, Committable>()
  #flushing: Promise<void> | undefined
  #failure: unknown

  /** Records a handled batch for commit; throws what a previous commit failed with, once. */
  add(batch: readonly Committable[]): void {
    const failure = this.#failure
    if (failure !== undefined) {
      this.#failure = undefined
      throw failure
    }
    for (const message of batch) this.#pending.set(message.partition, message)
    this.#flushing ??= this.#flush()
  }

  /** Resolves once every offset recorded so far was committed or failed to be. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const next = [...this.#pending.values()]
        this.#pending.clear()
        await Promise.all(next.map(commit))
      }
    } catch (error) {
      this.#pending.clear()
      this.#failure = error
    } finally {
      this.#flushing = undefined
    }
  }
}
