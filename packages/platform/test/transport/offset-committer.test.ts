import { describe, expect, it } from 'vitest'
import { type Committable, OffsetCommitter } from '../../src/transport/kafka/offset-committer.ts'

/** Messages whose commits the test resolves by hand, in the order the committer sent them. */
function fakePartitions() {
  const sent: { partition: number; offset: number; settle: (error?: Error) => void }[] = []
  const message = (partition: number, offset: number): Committable => ({
    partition,
    commit: () =>
      new Promise<void>((resolve, reject) => {
        sent.push({ partition, offset, settle: (error) => (error ? reject(error) : resolve()) })
      }),
  })
  return { sent, message }
}

const flushed = () => new Promise((resolve) => setImmediate(resolve))

describe('offset committer', () => {
  it('when batches are handled while a commit is in flight, then the handler is not held and only the newest offset of each partition goes next', async () => {
    const { sent, message } = fakePartitions()
    const offsets = new OffsetCommitter()

    offsets.add([message(0, 1), message(1, 1), message(0, 2)])
    await flushed()
    expect(sent.map(({ partition, offset }) => [partition, offset])).toEqual([
      [0, 2],
      [1, 1],
    ])
    // Two more batches while those two commits are unanswered: add returns at once, nothing is sent yet.
    offsets.add([message(0, 3)])
    offsets.add([message(0, 4), message(2, 1)])
    await flushed()
    expect(sent).toHaveLength(2)

    for (const commit of sent.splice(0)) commit.settle()
    await flushed()
    expect(sent.map(({ partition, offset }) => [partition, offset])).toEqual([
      [0, 4],
      [2, 1],
    ])
    for (const commit of sent.splice(0)) commit.settle()
    await offsets.drain()
  })

  it('when a commit fails, then the next add throws its error once and committing goes on after it', async () => {
    const { sent, message } = fakePartitions()
    const offsets = new OffsetCommitter()
    offsets.add([message(0, 1)])
    await flushed()
    sent.splice(0)[0]?.settle(new Error('broker gone'))
    await offsets.drain()

    expect(() => offsets.add([message(0, 2)])).toThrow('broker gone')
    offsets.add([message(0, 3)])
    await flushed()
    expect(sent.map(({ offset }) => offset)).toEqual([3])
    sent[0]?.settle()
    await offsets.drain()
  })

  it('when drained, then it resolves only after every recorded offset was answered', async () => {
    const { sent, message } = fakePartitions()
    const offsets = new OffsetCommitter()
    offsets.add([message(0, 1)])
    let drained = false
    const draining = offsets.drain().then(() => {
      drained = true
    })
    await flushed()
    expect(drained).toBe(false)
    sent[0]?.settle()
    await draining
    expect(drained).toBe(true)
  })
})
