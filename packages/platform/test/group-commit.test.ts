import { describe, expect, it } from 'vitest'
import { GroupCommit } from '../src/db/group-commit.ts'

/** A group commit whose batches are recorded, each item doubled; items named `bad` fail their batch. */
function recordingGroupCommit(windowMs: number, maxItems = 100, retryAlone = true) {
  const batches: string[][] = []
  const group = new GroupCommit<string, string>({
    windowMs,
    maxItems,
    settle: async (items) => {
      batches.push([...items])
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (items.includes('bad')) throw new Error('the batch failed')
      return items.map((item) => ({ status: 'fulfilled', value: item + item }))
    },
    retryAlone: () => retryAlone,
  })
  return { group, batches }
}

describe('GroupCommit', () => {
  it('when items arrive in one turn of the event loop, then one batch settles them all and each hears its own result', async () => {
    const { group, batches } = recordingGroupCommit(2)
    const results = await Promise.all(['a', 'b', 'c'].map((item) => group.submit(item)))

    expect(results).toEqual(['aa', 'bb', 'cc'])
    expect(batches).toEqual([['a', 'b', 'c']])
  })

  it('when items arrive while a batch is in flight, then they wait for it and go together', async () => {
    const { group, batches } = recordingGroupCommit(50)
    const first = group.submit('a')
    await new Promise((resolve) => setImmediate(resolve))
    const later = ['b', 'c'].map((item) => group.submit(item))

    expect(await Promise.all([first, ...later])).toEqual(['aa', 'bb', 'cc'])
    expect(batches).toEqual([['a'], ['b', 'c']])
  })

  it('when a batch fails, then each of its items is settled alone and only the bad one fails', async () => {
    const { group, batches } = recordingGroupCommit(2)
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((item) => group.submit(item)))

    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : 'failed'))).toEqual([
      'aa',
      'failed',
      'cc',
    ])
    expect(batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']])
  })

  it('when a batch fails and its failure does not prove nothing was written, then every item fails and none is tried again', async () => {
    const { group, batches } = recordingGroupCommit(2, 100, false)
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((item) => group.submit(item)))

    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(batches).toEqual([['a', 'bad', 'c']])
  })

  it('when the window is 0 or a batch is full, then items go without waiting for company', async () => {
    const alone = recordingGroupCommit(0)
    await Promise.all(['a', 'b'].map((item) => alone.group.submit(item)))
    expect(alone.batches).toEqual([['a'], ['b']])

    const full = recordingGroupCommit(1_000, 2)
    await Promise.all(['a', 'b', 'c'].map((item) => full.group.submit(item)))
    expect(full.batches).toEqual([['a', 'b'], ['c']])
  })

  it('when closed, then what waits is settled and every batch in flight has ended', async () => {
    const { group, batches } = recordingGroupCommit(1_000)
    const first = group.submit('a')
    await new Promise((resolve) => setImmediate(resolve))
    const waiting = group.submit('b')

    await group.close()

    expect(batches).toEqual([['a'], ['b']])
    expect(await Promise.all([first, waiting])).toEqual(['aa', 'bb'])
  })
})
