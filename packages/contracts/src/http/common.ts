import { Type } from 'typebox'
import { CENT, MAX_AMOUNT } from '../money.ts'
import { UUID_PATTERN } from '../uuid.ts'

export const Uuid = Type.String({ pattern: UUID_PATTERN, examples: ['7c9e6679-7425-40de-944b-e07fc1f90ae7'] })

/**
 * Money travels as a JSON number with at most two fraction digits and is stored as integer minor
 * units. A number that a double cannot hold exactly as written (`25.000000000000000001`) is refused too.
 */
export const Amount = Type.Number({
  minimum: CENT,
  maximum: MAX_AMOUNT,
  multipleOf: CENT,
  description: 'A positive amount with at most 2 fraction digits, 0.01 to 1,000,000,000.00.',
  examples: [150],
})

/** The query of a route that takes none: any parameter is refused (400 invalid_query), as unknown body fields are. */
export const NoQuery = Type.Object({}, { additionalProperties: false })

export const UserIdHeaders = Type.Object({
  'x-user-id': Type.String({ pattern: UUID_PATTERN, description: 'The calling user; a UUID.' }),
})

/**
 * How long an Idempotency-Key replays its first response. A promise of the API, written in its
 * documentation, so not a setting; retention deletes the keys once it has passed.
 */
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 3_600_000

/** The headers of a POST: the user, and an optional key that makes the request safe to retry. */
export const IdempotentUserHeaders = Type.Object({
  'x-user-id': Type.String({ pattern: UUID_PATTERN, description: 'The calling user; a UUID.' }),
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7E]{1,255}$',
      description:
        `Makes the request safe to retry: for ${IDEMPOTENCY_KEY_LIFETIME_MS / 3_600_000} hours the same key and body replay the first response ` +
        '(with Idempotent-Replayed: true), the same key with another body is 422, and a request while ' +
        'the first is still running is 409. Keys are per user; a failed request records nothing.',
    }),
  ),
})

/** RFC 9457 problem details, with a stable machine-readable `code`. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ examples: ['validation_failed'] }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ field: Type.String(), message: Type.String() }, { additionalProperties: false }),
      ),
    ),
  },
  { $id: 'Problem', description: 'An error, as application/problem+json (RFC 9457).' },
)

/** A page size, 1 to 1000 exactly: a wider `^[1-9][0-9]{0,3}$` would document values up to 9999 that are refused. */
export const listLimit = (what: string) =>
  Type.String({
    pattern: '^(?:[1-9][0-9]{0,2}|1000)$',
    description: `At most this many ${what}, 1 to 1000; 100 by default.`,
    examples: ['10'],
  })
