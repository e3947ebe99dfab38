import { createHash } from 'node:crypto'
import { ErrorCatalogue } from '@shop/contracts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type pg from 'pg'
import { type Database, type Queryable, type Transaction, withTransaction } from '../db/pool.ts'
import { AppError } from '../errors.ts'

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed'
/** Keys are kept at least this long; an older one is as good as unused. */
const RETENTION = '24 hours'

export interface Response {
  status: number
  body: unknown
}

interface Stored {
  request_fingerprint: string
  response_status: number
  response_body: unknown
}

/**
 * Makes a POST safely retryable with Stripe's semantics for `Idempotency-Key`. The first request
 * with a key runs, and its response is recorded in the same transaction as its writes, so the
 * key is recorded exactly when the effect is. The same key and body again replay that response
 * with `Idempotent-Replayed: true`; the same key with another body is 422; a request arriving
 * while the first is still running is 409. A request that fails (4xx or 5xx) rolls back and
 * records nothing: it may be retried with the same key. Keys are scoped per user.
 */
export async function respondIdempotently(
  request: FastifyRequest,
  reply: FastifyReply,
  pool: pg.Pool,
  handle: (db: Database) => Promise<Response>,
): Promise<FastifyReply> {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER]
  if (typeof key !== 'string') {
    const response = await handle(pool)
    return reply.code(response.status).send(response.body)
  }
  const fingerprint = fingerprintOf(request)
  const { response, replayed } = await withTransaction(pool, async (trx) => {
    await lockKey(trx, request.userId, key)
    const stored = await findStored(trx, request.userId, key)
    if (stored) {
      if (stored.request_fingerprint !== fingerprint) throw keyReused()
      return { response: { status: stored.response_status, body: stored.response_body }, replayed: true }
    }
    const fresh = await handle(trx)
    await store(trx, request.userId, key, fingerprint, fresh)
    return { response: fresh, replayed: false }
  })
  if (replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true')
  return reply.code(response.status).send(response.body)
}

/** The same request means the same method, route, path and (parsed) body. */
function fingerprintOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex')
}

async function lockKey(trx: Transaction, userId: string, key: string): Promise<void> {
  const { rows } = await trx.query<{ acquired: boolean }>(
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

async function findStored(trx: Transaction, userId: string, key: string): Promise<Stored | undefined> {
  const { rows } = await trx.query<Stored>(
    `SELECT request_fingerprint, response_status, response_body FROM idempotency_keys
      WHERE user_id = $1 AND key = $2 AND created_at > now() - $3::interval`,
    [userId, key, RETENTION],
  )
  return rows[0]
}

async function store(trx: Transaction, userId: string, key: string, fingerprint: string, response: Response) {
  await trx.query(
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

/** Deletes keys past their retention; run now and then so the table does not grow without end. */
export async function deleteExpiredIdempotencyKeys(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval',
    [RETENTION],
  )
  return rowCount ?? 0
}
