import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type pg from 'pg'
import { inTransaction, type Transaction } from '../db/transaction.ts'
import { claimKeys, type KeyedRequest, type RouteResponse, recordResponses } from './idempotency-keys.ts'

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed'

export type { RouteResponse } from './idempotency-keys.ts'

/** The request's `Idempotency-Key`, if it has one. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER]
  return typeof key === 'string' ? key : undefined
}

export const respond = (reply: FastifyReply, response: RouteResponse): FastifyReply =>
  reply.code(response.status).send(response.body)

/**
 * Opens a transaction, runs `handle` in it and sends its response once the transaction committed.
 * With an `Idempotency-Key`, the POST is safely retryable with Stripe's semantics: the first
 * request with a key runs, and its response is recorded in the same transaction as its writes,
 * so the key is recorded exactly when the effect is. The same key and body again replay that
 * response with `Idempotent-Replayed: true`; the same key with another body is 422; a request
 * arriving while the first is still running is 409. A request that fails (`handle` throws: 4xx
 * or 5xx) rolls back and records nothing: it may be retried with the same key. Keys are scoped
 * per user.
 */
export async function respondInTransaction(
  request: FastifyRequest,
  reply: FastifyReply,
  pool: pg.Pool,
  handle: (tx: Transaction) => Promise<RouteResponse>,
): Promise<FastifyReply> {
  const key = idempotencyKeyOf(request)
  const { response, replayed } = await inTransaction(pool, async (tx) =>
    key === undefined
      ? { response: await handle(tx), replayed: false }
      : answerOnce(tx, request, key, handle),
  )
  if (replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true')
  return respond(reply, response)
}

/** Replays the response recorded under `key`, or runs `handle` and records its response. */
async function answerOnce(
  tx: Transaction,
  request: FastifyRequest,
  key: string,
  handle: (tx: Transaction) => Promise<RouteResponse>,
): Promise<{ response: RouteResponse; replayed: boolean }> {
  const keyed = keyedRequestOf(request, key)
  const [claim] = await claimKeys(tx, [keyed])
  if (claim?.kind === 'refused') throw claim.error
  if (claim?.kind === 'replay') return { response: claim.response, replayed: true }
  const fresh = await handle(tx)
  await recordResponses(tx, [{ request: keyed, response: fresh }])
  return { response: fresh, replayed: false }
}

/** The request as its key's record knows it: its user, its key and its fingerprint. */
export function keyedRequestOf(request: FastifyRequest, key: string): KeyedRequest {
  return { userId: request.userId, key, fingerprint: fingerprintOf(request) }
}

/** The same request means the same method, route, path and (parsed) body. */
function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex')
}
