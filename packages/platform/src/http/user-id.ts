import { ErrorCatalogue, isUuid, normaliseUuid } from '@shop/contracts'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, from `X-User-Id`, lower-cased; set for routes that require it. */
    userId: string
  }
}

export const USER_ID_HEADER = 'x-user-id'

/** The user id a header value names, lower-cased, or undefined unless it is a single UUID. */
export function userIdFrom(value: unknown): string | undefined {
  return typeof value === 'string' && isUuid(value) ? normaliseUuid(value) : undefined
}

/**
 * Reads `X-User-Id` as the gateway and the services both must: a single UUID, or a 400 that says
 * what is wrong. Runs before body parsing, so a request without identity costs almost nothing.
 */
export function parseUserId(request: FastifyRequest): string {
  const value = request.headers[USER_ID_HEADER]
  if (value === undefined) {
    throw new AppError(ErrorCatalogue.missingUserId, 'The X-User-Id header is required')
  }
  const userId = userIdFrom(value)
  if (userId === undefined) {
    throw new AppError(ErrorCatalogue.invalidUserId, 'X-User-Id must be a single UUID')
  }
  return userId
}

/**
 * An onRequest hook for routes that act on behalf of a user. The request's logger already carries
 * the user id (see createHttpApp).
 */
export async function requireUserId(request: FastifyRequest): Promise<void> {
  request.userId = parseUserId(request)
}
