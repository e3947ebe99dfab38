import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import { keepWebSocketAlive } from '../src/http/websocket-heartbeat.ts'

/** A socket that counts pings and terminations; the test answers (or not) with 'pong'. */
class FakePeer extends EventEmitter {
  pings = 0
  terminated = false
  ping() {
    this.pings += 1
  }
  terminate() {
    this.terminated = true
    this.emit('close')
  }
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('WebSocket heartbeat', () => {
  it('when the peer answers each ping, then it is pinged on and kept', async () => {
    const peer = new FakePeer()
    keepWebSocketAlive(peer as unknown as WebSocket, 10)
    const answer = setInterval(() => peer.emit('pong'), 2)

    await tick(60)
    clearInterval(answer)
    peer.emit('close')

    expect(peer.pings).toBeGreaterThanOrEqual(2)
    expect(peer.terminated).toBe(false)
  })

  it('when a ping goes unanswered, then the peer is dropped at the next beat', async () => {
    const peer = new FakePeer()
    keepWebSocketAlive(peer as unknown as WebSocket, 10)

    await tick(60)

    expect(peer.pings).toBe(1)
    expect(peer.terminated).toBe(true)
  })
})
