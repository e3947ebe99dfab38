import { ErrorCatalogue } from '@shop/contracts'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import { userIdFrom } from './user-id.ts'

export const USER_ID_QUERY_PARAMETER = 'user_id'

/**
 * Reads the caller from `?user_id=<uuid>`, for WebSocket upgrades: a browser cannot set headers on
 * a WebSocket, so the identity travels in the URL. It is held to the same rule as `X-User-Id` (a
 * single UUID; absent, empty, repeated or malformed is a 400 with the same codes) and lower-cased.
 */
export function parseUserIdQuery(request: FastifyRequest): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[USER_ID_QUERY_PARAMETER]
  if (value === undefined) {
    throw new AppError(
      { ...ErrorCatalogue.missingUserId, title: 'Missing user_id' },
      'The user_id query parameter is required: a WebSocket cannot carry X-User-Id',
    )
  }
  const userId = userIdFrom(value)
  if (userId === undefined) {
    throw new AppError(
      { ...ErrorCatalogue.invalidUserId, title: 'Invalid user_id' },
      'user_id must be a single UUID',
    )
  }
  return userId
}

/** An onRequest hook for WebSocket routes that act on behalf of a user. */
export async function requireUserIdQuery(request: FastifyRequest): Promise<void> {
  request.userId = parseUserIdQuery(request)
  request.log = request.log.child({ user_id: request.userId })
}
