import type { WebSocket } from 'ws'

/** The open WebSockets of each user: a push goes to its order's owner and to nobody else. */
export class OrderStatusSubscribers {
  readonly #byUser = new Map<string, Set<WebSocket>>()

  /** Adds the socket under its user until it closes. */
  add(userId: string, socket: WebSocket): void {
    const sockets = this.#byUser.get(userId) ?? new Set<WebSocket>()
    this.#byUser.set(userId, sockets)
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      if (sockets.size === 0 && this.#byUser.get(userId) === sockets) this.#byUser.delete(userId)
    })
  }

  /** Sends the message to every open socket of the user; how many got it. */
  deliver(userId: string, message: string): number {
    let sent = 0
    for (const socket of this.#byUser.get(userId) ?? []) {
      if (socket.readyState !== socket.OPEN) continue
      socket.send(message)
      sent += 1
    }
    return sent
  }

  /** Closes every socket, so that each client reconnects and re-reads what it may have missed. */
  closeAll(code: number, reason: string): void {
    for (const sockets of this.#byUser.values()) for (const socket of sockets) socket.close(code, reason)
  }

  get size(): number {
    let count = 0
    for (const sockets of this.#byUser.values()) count += sockets.size
    return count
  }
}
