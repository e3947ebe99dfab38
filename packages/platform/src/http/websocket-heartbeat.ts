import type { WebSocket } from 'ws'

const HEARTBEAT_INTERVAL_MS = 30_000

/**
 * Pings the peer every interval and drops it when the previous ping got no pong. A peer that
 * vanished without a close frame (a phone that lost its network, a killed tab behind a NAT) would
 * otherwise hold its socket, and the subscriber entry behind it, until TCP gives up hours later.
 * Browsers and `ws` clients answer pings by themselves.
 */
export function keepWebSocketAlive(socket: WebSocket, intervalMs = HEARTBEAT_INTERVAL_MS): void {
  let answered = true
  socket.on('pong', () => {
    answered = true
  })
  const timer = setInterval(() => {
    if (!answered) {
      socket.terminate()
      return
    }
    answered = false
    socket.ping()
  }, intervalMs)
  timer.unref()
  socket.once('close', () => clearInterval(timer))
}
