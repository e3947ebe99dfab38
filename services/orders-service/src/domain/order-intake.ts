import {
  autocommit,
  claimKeys,
  GroupCommit,
  inTransaction,
  type KeyClaim,
  type KeyedRequest,
  type RouteResponse,
  recordResponses,
  refusedByDatabase,
} from '@shop/platform'
import type pg from 'pg'
import { type Order, toOrderView } from './order.ts'
import { type PlaceOrderRequest, placeOrders } from './place-order.ts'

/** One `POST /orders`, checked and ready to be written. */
export interface OrderSubmission {
  order: PlaceOrderRequest
  /** With an Idempotency-Key: the request as its key's record knows it. */
  keyed?: KeyedRequest | undefined
}

export interface IntakeAnswer {
  response: RouteResponse
  replayed: boolean
  /** The order this request created; none when it replays an earlier answer. */
  placed?: Order
}

/** A bound on one statement's arrays and on how long its batch holds its locks. */
const MAX_ORDERS_PER_BATCH = 500

export type OrderIntake = GroupCommit<OrderSubmission, IntakeAnswer>

/**
 * Where `POST /orders` hands its order: orders that arrive within `windowMs` of each other are
 * written by one statement and committed once (group commit), and each request is answered after
 * the commit that holds its own row. With `windowMs` 0 each order commits alone.
 */
export function createOrderIntake(pool: pg.Pool, ordersTopic: string, windowMs: number): OrderIntake {
  return new GroupCommit({
    windowMs,
    maxItems: MAX_ORDERS_PER_BATCH,
    settle: (submissions) => acceptOrders(pool, ordersTopic, submissions),
    // After a lost connection the batch may have committed: writing its orders again could double them.
    retryAlone: refusedByDatabase,
  })
}

/**
 * Accepts a batch of orders. Without Idempotency-Keys the orders and their events are one
 * statement, atomic on its own: no BEGIN and COMMIT round trips. With keys, one transaction
 * claims the keys, writes the orders of the requests it runs, and records their responses, so
 * each key is recorded exactly when its order is. A refused key fails only its own request.
 */
export async function acceptOrders(
  pool: pg.Pool,
  ordersTopic: string,
  submissions: readonly OrderSubmission[],
): Promise<PromiseSettledResult<IntakeAnswer>[]> {
  if (submissions.every((submission) => submission.keyed === undefined)) {
    const placed = await placeOrders(
      autocommit(pool),
      submissions.map((submission) => submission.order),
      ordersTopic,
    )
    return placed.map((order) => ({ status: 'fulfilled', value: created(order) }))
  }
  return inTransaction(pool, async (tx) => {
    const keyed = submissions.flatMap((submission, position) =>
      submission.keyed ? [{ position, request: submission.keyed }] : [],
    )
    const claims = new Map<number, KeyClaim>()
    const found = await claimKeys(
      tx,
      keyed.map(({ request }) => request),
    )
    for (const [index, { position }] of keyed.entries()) claims.set(position, found[index] as KeyClaim)

    const toPlace = submissions.flatMap((submission, position) =>
      (claims.get(position)?.kind ?? 'fresh') === 'fresh' ? [{ position, submission }] : [],
    )
    const placed = await placeOrders(
      tx,
      toPlace.map(({ submission }) => submission.order),
      ordersTopic,
    )
    const answers = submissions.map((_, position) => answerFromClaim(claims.get(position)))
    const toRecord: { request: KeyedRequest; response: RouteResponse }[] = []
    for (const [index, { position, submission }] of toPlace.entries()) {
      const answer = created(placed[index] as Order)
      answers[position] = { status: 'fulfilled', value: answer }
      if (submission.keyed) toRecord.push({ request: submission.keyed, response: answer.response })
    }
    await recordResponses(tx, toRecord)
    return answers
  })
}

const created = (order: Order): IntakeAnswer => ({
  response: { status: 201, body: toOrderView(order) },
  replayed: false,
  placed: order,
})

/** The answer a key's claim gives by itself; a fresh request's is filled in once its order exists. */
function answerFromClaim(claim: KeyClaim | undefined): PromiseSettledResult<IntakeAnswer> {
  if (claim?.kind === 'refused') return { status: 'rejected', reason: claim.error }
  if (claim?.kind === 'replay')
    return { status: 'fulfilled', value: { response: claim.response, replayed: true } }
  return { status: 'rejected', reason: new Error('this order was not placed') }
}
