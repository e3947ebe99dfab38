import { randomBytes, randomUUID } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'

/** A ticket opens one socket within this many seconds of being issued. */
export const TICKET_LIFETIME_SECONDS = 30
const TICKET_AUDIENCE = 'shop:ws'

/** A ticket that is malformed, forged, expired or already used. */
export class TicketRefused extends Error {
  override name = 'TicketRefused'
}

/**
 * Short-lived, single-use tickets for the WebSocket, which a browser cannot open with an
 * Authorization header. A ticket is a JWT the gateway signs itself (HS256, WS_TICKET_SECRET) for
 * one user, valid for 30 seconds: any gateway instance with the secret can check it without a
 * shared store. Each instance remembers the tickets it has redeemed until they expire, so one is
 * never used twice on one instance; where several instances share an address a ticket could at
 * worst open one socket per instance, for the same user, within its 30 seconds.
 */
export function webSocketTickets(secret: string | undefined) {
  const key = secret === undefined ? randomBytes(32) : new TextEncoder().encode(secret)
  /** Redeemed ticket ids, with when they expire (ms): afterwards their expiry refuses them anyway. */
  const redeemed = new Map<string, number>()

  // Every ticket lives as long, so the map's insertion order is the order of expiry.
  const forgetExpired = (now: number) => {
    for (const [id, expiresAt] of redeemed) {
      if (expiresAt > now) return
      redeemed.delete(id)
    }
  }

  return {
    async issue(userId: string): Promise<{ ticket: string; expires_in: number }> {
      const ticket = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'shop-ws-ticket' })
        .setSubject(userId)
        .setAudience(TICKET_AUDIENCE)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${TICKET_LIFETIME_SECONDS}s`)
        .sign(key)
      return { ticket, expires_in: TICKET_LIFETIME_SECONDS }
    },

    /** The user the ticket was issued to; it cannot be redeemed again. */
    async redeem(ticket: string): Promise<string> {
      const claims = await jwtVerify(ticket, key, {
        algorithms: ['HS256'],
        audience: TICKET_AUDIENCE,
        typ: 'shop-ws-ticket',
        requiredClaims: ['exp', 'jti', 'sub'],
      }).then(
        ({ payload }) => payload,
        (error: unknown) => {
          const expired = error instanceof errors.JWTExpired
          throw new TicketRefused(expired ? 'The ticket has expired' : 'The ticket is not valid')
        },
      )
      const now = Date.now()
      forgetExpired(now)
      const id = claims.jti as string
      if (redeemed.has(id)) throw new TicketRefused('The ticket was already used')
      redeemed.set(id, (claims.exp as number) * 1000)
      return claims.sub as string
    },
  }
}

export type WebSocketTickets = ReturnType<typeof webSocketTickets>
