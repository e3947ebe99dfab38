import { ErrorCatalogue } from '@shop/contracts'
import { AppError } from '@shop/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** The realm every challenge names: the whole shop is one protection space. */
const REALM = 'shop'
// RFC 6750 2.1: `Bearer` (any case), one space or more, then a token68.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i

/** RFC 6750 3: the challenge of a 401, with its error code when the request carried a token. */
export function challenge(
  reply: FastifyReply,
  error?: 'invalid_request' | 'invalid_token',
  description?: string,
) {
  const parts = [`realm="${REALM}"`]
  if (error) parts.push(`error="${error}"`)
  if (description) parts.push(`error_description="${description}"`)
  reply.header('www-authenticate', `Bearer ${parts.join(', ')}`)
}

/**
 * The bearer token of `Authorization`, or a 401 with its challenge: without credentials
 * (no header, or another scheme) the challenge carries no error code (RFC 6750 3.1); a Bearer
 * header that is not one well-formed token is `invalid_request`.
 */
export function bearerTokenOf(request: FastifyRequest, reply: FastifyReply): string {
  const value = request.headers.authorization
  if (value === undefined || !/^Bearer(\s|$)/i.test(value)) {
    challenge(reply)
    throw new AppError(ErrorCatalogue.missingBearerToken, 'Send Authorization: Bearer <access token>')
  }
  const token = BEARER.exec(value)?.[1]
  if (token === undefined) {
    challenge(reply, 'invalid_request', 'The Authorization header is not one bearer token')
    throw new AppError(ErrorCatalogue.invalidToken, 'The Authorization header is not one bearer token')
  }
  return token
}
