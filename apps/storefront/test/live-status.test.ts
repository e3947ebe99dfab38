import { readOrderStatusPush } from '@shop/contracts/browser'
import { describe, expect, it } from 'vitest'
import type { StatusPush } from '../src/domain/order.ts'
import { reconnectDelayMs } from '../src/live/backoff.ts'
import { connectLiveStatus, liveStatusUrl, type SocketLike } from '../src/live/live-status.ts'
import type { Connection } from '../src/state/shop-state.ts'

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null
  onmessage: SocketLike['onmessage'] = null
  onclose: SocketLike['onclose'] = null
  onerror: SocketLike['onerror'] = null
  closedWith: number | undefined
  readonly url: string
  constructor(url: string) {
    this.url = url
  }
  open = () => this.onopen?.({})
  receive = (data: unknown) => this.onmessage?.({ data })
  drop = () => {
    this.onerror?.({})
    this.onclose?.({})
  }
  close(code?: number) {
    this.closedWith = code
    this.onclose?.({})
  }
}

/** The live connection with fake sockets and a hand-driven clock. */
function harness() {
  const sockets: FakeSocket[] = []
  const timers = new Map<number, { run: () => void; ms: number }>()
  let nextTimer = 0
  const seen = { pushes: [] as StatusPush[], connections: [] as Connection[], opens: 0 }
  const live = connectLiveStatus({
    url: 'ws://shop.test/ws?user_id=u',
    onPush: (push) => seen.pushes.push(push),
    onConnection: (connection) => seen.connections.push(connection),
    onOpen: () => {
      seen.opens += 1
    },
    createSocket: (url) => {
      const socket = new FakeSocket(url)
      sockets.push(socket)
      return socket
    },
    setTimer: (run, ms) => {
      nextTimer += 1
      timers.set(nextTimer, { run, ms })
      return nextTimer
    },
    clearTimer: (timer) => void timers.delete(timer as number),
    random: () => 1,
  })
  /** Runs the pending timer of this delay (the retry, or the "stable" mark). */
  const fire = (ms: number) => {
    const entry = [...timers.entries()].find(([, timer]) => timer.ms === ms)
    if (!entry) throw new Error(`no timer of ${ms} ms; pending: ${[...timers.values()].map((t) => t.ms)}`)
    timers.delete(entry[0])
    entry[1].run()
  }
  const pendingDelays = () => [...timers.values()].map((timer) => timer.ms)
  const last = () => sockets.at(-1) as FakeSocket
  return { live, sockets, seen, fire, pendingDelays, last }
}

describe('the live status connection', () => {
  it('when it opens, then it says live and asks for a re-read; pushes then reach the page', () => {
    const { seen, last } = harness()
    expect(seen.connections).toEqual(['connecting'])

    last().open()
    last().receive(JSON.stringify({ type: 'order_status', order_id: 'o1', status: 'FINISHED' }))

    expect(seen.connections).toEqual(['connecting', 'live'])
    expect(seen.opens).toBe(1)
    expect(seen.pushes).toEqual([{ type: 'order_status', order_id: 'o1', status: 'FINISHED' }])
  })

  it('when it drops, then it reconnects after a growing delay and re-reads on each reopen', () => {
    const { seen, sockets, fire, pendingDelays, last } = harness()
    last().open()

    last().drop()
    expect(seen.connections.at(-1)).toBe('reconnecting')
    expect(pendingDelays()).toEqual([500])
    fire(500)
    expect(sockets).toHaveLength(2)
    // Refused again before it opened: the next wait is longer.
    last().drop()
    expect(pendingDelays()).toEqual([1000])
    fire(1000)
    last().open()

    expect(seen.connections.at(-1)).toBe('live')
    expect(seen.opens).toBe(2)
  })

  it('when a connection stayed open a while, then the next failure starts from the shortest delay again', () => {
    const { fire, pendingDelays, last } = harness()
    last().drop()
    fire(500)
    last().drop()
    fire(1000)
    last().open()

    fire(5000)
    last().drop()

    expect(pendingDelays()).toEqual([500])
  })

  it('when the network comes back, then it retries at once instead of waiting', () => {
    const { live, sockets, pendingDelays, last } = harness()
    last().drop()
    expect(pendingDelays()).toEqual([500])

    live.retryNow()

    expect(sockets).toHaveLength(2)
    expect(pendingDelays()).toEqual([])
  })

  it('when it is closed by the page (user switched, page left), then it does not reconnect', () => {
    const { live, sockets, pendingDelays, last } = harness()
    last().open()

    live.close()
    live.retryNow()

    expect(last().closedWith).toBe(1000)
    expect(sockets).toHaveLength(1)
    expect(pendingDelays()).toEqual([])
  })

  it('when a message is not a status push, then it is ignored', () => {
    const { seen, last } = harness()
    last().open()
    for (const data of [
      'not json',
      '{"type":"hello"}',
      new ArrayBuffer(2),
      '{"type":"order_status","order_id":"o"}',
    ])
      last().receive(data)
    expect(seen.pushes).toEqual([])
  })
})

describe('status pushes', () => {
  it.each([
    ['{"type":"order_status","order_id":"o","status":"CANCELLED","reason":"insufficient_funds"}', true],
    ['{"type":"order_status","order_id":"o","status":"FINISHED","extra":1}', true],
    ['{"type":"order_status","order_id":"o","status":"LOST"}', false],
    ['{"type":"order_status","order_id":"o","status":"FINISHED","reason":5}', false],
    ['{"type":"order_status","order_id":7,"status":"FINISHED"}', false],
    ['null', false],
  ])('when the message is %s, then it is a push: %s', (data, accepted) => {
    expect(readOrderStatusPush(data) !== undefined).toBe(accepted)
  })

  it('when a push has fields of a later version, then only the known ones are kept', () => {
    expect(
      readOrderStatusPush('{"type":"order_status","order_id":"o","status":"FINISHED","extra":1}'),
    ).toEqual({
      type: 'order_status',
      order_id: 'o',
      status: 'FINISHED',
    })
  })
})

describe('reconnection delays', () => {
  it('when attempts fail one after another, then the wait doubles from half a second up to 30 s', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => reconnectDelayMs(attempt, () => 1))
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  })

  it('when many pages retry together, then each waits a random 50 to 100% of the step', () => {
    expect(reconnectDelayMs(3, () => 0)).toBe(2000)
    expect(reconnectDelayMs(3, () => 0.5)).toBe(3000)
  })
})

describe('the live URL', () => {
  it('when the page came over http or https, then the socket is ws or wss on the same host', () => {
    expect(liveStatusUrl({ protocol: 'http:', host: 'localhost:8000' }, 'u-1')).toBe(
      'ws://localhost:8000/ws?user_id=u-1',
    )
    expect(liveStatusUrl({ protocol: 'https:', host: 'shop.example' }, 'u-1')).toBe(
      'wss://shop.example/ws?user_id=u-1',
    )
  })
})
