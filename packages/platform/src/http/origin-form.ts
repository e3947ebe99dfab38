import type { IncomingMessage } from 'node:http'

/** `scheme://authority`, the part of an absolute-form request target that names the server. */
const SCHEME_AND_AUTHORITY = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i

/**
 * The request's target in origin form (`/path?query`): an absolute-form target
 * (`http://host/path?query`, RFC 9112 3.2.2, what a client talking to a proxy sends) loses its
 * scheme and authority, anything else is left as it came. Fastify's `rewriteUrl`.
 */
export function toOriginForm(request: IncomingMessage): string {
  const url = request.url ?? '/'
  const authority = SCHEME_AND_AUTHORITY.exec(url)
  if (!authority) return url
  const rest = url.slice(authority[0].length)
  return rest.startsWith('/') ? rest : `/${rest}`
}
