import { createHash } from 'node:crypto'
import { ErrorCatalogue, IDEMPOTENCY_KEY_LIFETIME_MS } from '@shop/contracts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type pg from 'pg'
import { inTransaction, type Transaction } from '../db/transaction.ts'
import { AppError } from '../errors.ts'

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed'

/** What a route answers, sent once the work behind it committed. */
export interface RouteResponse {
  status: number
  body: unknown
}

interface Stored {
  request_fingerprint: string
  response_status: number
  response_body: unknown
}

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
  const fingerprint = fingerprintOf(request)
  await lockKey(tx, request.userId, key)
  const stored = await findStored(tx, request.userId, key)
  if (stored) {
    if (stored.request_fingerprint !== fingerprint) throw keyReused()
    return { response: { status: stored.response_status, body: stored.response_body }, replayed: true }
  }
  const fresh = await handle(tx)
  await store(tx, request.userId, key, fingerprint, fresh)
  return { response: fresh, replayed: false }
}

/** The same request means the same method, route, path and (parsed) body. */
function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex')
}

async function lockKey(tx: Transaction, userId: string, key: string): Promise<void> {
  const { rows } = await tx.query<{ acquired: boolean }>(
    'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS acquired',
    [`idempotency:${userId}:${key}`],
  )
  if (!rows[0]?.acquired) {
    throw new AppError(
      ErrorCatalogue.idempotencyKeyInUse,
      'A request with this Idempotency-Key is still being processed; retry later',
    )
  }
}

async function findStored(tx: Transaction, userId: string, key: string): Promise<Stored | undefined> {
  const { rows } = await tx.query<Stored>(
    `SELECT request_fingerprint, response_status, response_body FROM idempotency_keys
      WHERE user_id = $1 AND key = $2 AND created_at > now() - $3::float8 * interval '1 millisecond'`,
    // Retention deletes an expired key a little later: until then it is as good as unused.
    [userId, key, IDEMPOTENCY_KEY_LIFETIME_MS],
  )
  return rows[0]
}

async function store(
  tx: Transaction,
  userId: string,
  key: string,
  fingerprint: string,
  response: RouteResponse,
) {
  await tx.query(
    `INSERT INTO idempotency_keys (user_id, key, request_fingerprint, response_status, response_body)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id, key) DO UPDATE
       SET request_fingerprint = EXCLUDED.request_fingerprint, response_status = EXCLUDED.response_status,
           response_body = EXCLUDED.response_body, created_at = now()`,
    [userId, key, fingerprint, response.status, JSON.stringify(response.body)],
  )
}

const keyReused = () =>
  new AppError(
    ErrorCatalogue.idempotencyKeyReused,
    'This Idempotency-Key was used with a different request; use a new key for a new request',
  )
