import { ErrorCatalogue, IDEMPOTENCY_KEY_LIFETIME_MS } from '@shop/contracts'
import type { Transaction } from '../db/transaction.ts'
import { AppError } from '../errors.ts'

/** What a route answers, sent once the work behind it committed. */
export interface RouteResponse {
  status: number
  body: unknown
}

/** A request that carries an `Idempotency-Key`: keys are scoped per user. */
export interface KeyedRequest {
  userId: string
  key: string
  /** The same request means the same method, route, path and (parsed) body. */
  fingerprint: string
}

/** What the key of a request says: run it (and record its response), replay, or refuse. */
export type KeyClaim =
  | { kind: 'fresh' }
  | { kind: 'replay'; response: RouteResponse }
  | { kind: 'refused'; error: AppError }

interface Stored {
  position: number
  request_fingerprint: string
  response_status: number
  response_body: unknown
}

/**
 * Claims the keys of `requests` inside `tx`, one round of statements for all of them, and says for
 * each what to do. A key is held by a transaction-scoped advisory lock: one that another
 * transaction holds, or that an earlier request of the same set holds, is still being processed
 * (409). A key recorded with the same request replays its response; with another request, 422.
 */
export async function claimKeys(tx: Transaction, requests: readonly KeyedRequest[]): Promise<KeyClaim[]> {
  const claims: KeyClaim[] = requests.map(() => ({ kind: 'refused', error: keyInUse() }))
  const firstOfEachKey = new Map<string, number>()
  requests.forEach((request, position) => {
    const lockName = lockNameOf(request)
    if (!firstOfEachKey.has(lockName)) firstOfEachKey.set(lockName, position)
  })
  const positions = [...firstOfEachKey.values()]
  const acquired = await lockKeys(tx, [...firstOfEachKey.keys()])
  const held = positions.filter((_, index) => acquired[index])
  for (const position of held) claims[position] = { kind: 'fresh' }
  for (const stored of await findStored(tx, held, requests)) {
    const request = requests[stored.position] as KeyedRequest
    claims[stored.position] =
      stored.request_fingerprint === request.fingerprint
        ? { kind: 'replay', response: { status: stored.response_status, body: stored.response_body } }
        : { kind: 'refused', error: keyReused() }
  }
  return claims
}

/** Records each request's response under its key, in the transaction of the request's writes. */
export async function recordResponses(
  tx: Transaction,
  answered: readonly { request: KeyedRequest; response: RouteResponse }[],
): Promise<void> {
  if (answered.length === 0) return
  await tx.query(
    `INSERT INTO idempotency_keys (user_id, key, request_fingerprint, response_status, response_body)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::jsonb[])
     ON CONFLICT (user_id, key) DO UPDATE
       SET request_fingerprint = EXCLUDED.request_fingerprint, response_status = EXCLUDED.response_status,
           response_body = EXCLUDED.response_body, created_at = now()`,
    [
      answered.map(({ request }) => request.userId),
      answered.map(({ request }) => request.key),
      answered.map(({ request }) => request.fingerprint),
      answered.map(({ response }) => response.status),
      answered.map(({ response }) => JSON.stringify(response.body)),
    ],
  )
}

const lockNameOf = (request: KeyedRequest) => `idempotency:${request.userId}:${request.key}`

/** Try-locks never wait, so the order they are taken in cannot deadlock. */
async function lockKeys(tx: Transaction, lockNames: readonly string[]): Promise<boolean[]> {
  const { rows } = await tx.query<{ acquired: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtextextended(name, 0)) AS acquired
       FROM unnest($1::text[]) WITH ORDINALITY AS locks (name, position) ORDER BY position`,
    [lockNames],
  )
  return rows.map((row) => row.acquired)
}

async function findStored(
  tx: Transaction,
  positions: readonly number[],
  requests: readonly KeyedRequest[],
): Promise<Stored[]> {
  if (positions.length === 0) return []
  const { rows } = await tx.query<Stored>(
    `SELECT wanted.position::int AS position, request_fingerprint, response_status, response_body
       FROM unnest($1::int[], $2::uuid[], $3::text[]) AS wanted (position, user_id, key)
       JOIN idempotency_keys USING (user_id, key)
      WHERE created_at > now() - $4::float8 * interval '1 millisecond'`,
    // Retention deletes an expired key a little later: until then it is as good as unused.
    [
      positions,
      positions.map((position) => requests[position]?.userId),
      positions.map((position) => requests[position]?.key),
      IDEMPOTENCY_KEY_LIFETIME_MS,
    ],
  )
  return rows
}

const keyInUse = () =>
  new AppError(
    ErrorCatalogue.idempotencyKeyInUse,
    'A request with this Idempotency-Key is still being processed; retry later',
  )

const keyReused = () =>
  new AppError(
    ErrorCatalogue.idempotencyKeyReused,
    'This Idempotency-Key was used with a different request; use a new key for a new request',
  )
