import type { PaymentFinishedPayload } from '@shop/contracts'
import { inTransaction } from '@shop/platform'
import type pg from 'pg'
import { testLogger } from '../../../../tests/support/logger.ts'
import { openSocketWhenAccepted, type TestSocket } from '../../../../tests/support/websocket.ts'
import { buildApp } from '../../src/app.ts'
import { settleOrder } from '../../src/domain/settle-order.ts'

export interface LiveOrdersInstance {
  app: Awaited<ReturnType<typeof buildApp>>
  /** The instance's live WebSocket URL with this raw query string (`?user_id=…`). */
  liveUrl(query: string): string
  /** A socket of this user on the instance, once it hears status changes (it refuses until then). */
  subscribe(userId: string): Promise<TestSocket>
}

/**
 * One more orders-service instance on the same database, listening on loopback with its live
 * route, as server.ts composes it. Several of them stand for instances behind a load balancer.
 */
export async function startLiveOrdersInstance(
  pool: pg.Pool,
  databaseUrl: string,
  ordersTopic: string,
): Promise<LiveOrdersInstance> {
  const app = await buildApp({ pool, logger: testLogger, ordersTopic, databaseUrl })
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace(/^http/, 'ws')
  const liveUrl = (query: string) => `${base}/live/orders${query}`
  return {
    app,
    liveUrl,
    subscribe: (userId) => openSocketWhenAccepted(liveUrl(`?user_id=${userId}`)),
  }
}

type Result = { status: 'SUCCESS' } | { status: 'FAIL'; reason: 'insufficient_funds' | 'account_not_found' }

/** Applies a payment result the way the consumer does, in a transaction of its own. */
export const settle = (pool: pg.Pool, orderId: string, userId: string, result: Result) =>
  inTransaction(pool, (tx) =>
    settleOrder(tx, {
      order_id: orderId,
      user_id: userId,
      amount_minor: 1000,
      ...result,
    } as PaymentFinishedPayload),
  )
