import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'

/** Where the storefront's build (apps/storefront, `vite build`) lands, in the repository and in the image. */
export const STOREFRONT_DIST = fileURLToPath(new URL('../../../../apps/storefront/dist', import.meta.url))

/**
 * The page loads only its own files and talks only to this origin (its API and /ws), and in oidc
 * mode to its issuer too (discovery, the token endpoint and its renewals).
 */
const contentSecurityPolicy = (issuer: string | undefined) =>
  [
    "default-src 'self'",
    `connect-src 'self'${issuer ? ` ${new URL(issuer).origin}` : ''}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Shop</title>
<p>The storefront is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds it), then reload.
The API works regardless: see <a href="/docs">/docs</a>.</p></html>`

/**
 * Serves the storefront's built files at `/`: one route per file (found at start-up), so every
 * other path still reaches the API routes or the 404 problem. Vite names assets by their content,
 * so they are cached for good; the page itself is revalidated on each visit.
 */
export const storefront: FastifyPluginAsync<{ root?: string; issuer?: string | undefined }> = async (
  app,
  { root = STOREFRONT_DIST, issuer },
) => {
  const policy = contentSecurityPolicy(issuer)
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'the storefront is not built; GET / says how to build it')
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE),
    )
    return
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('x-content-type-options', 'nosniff')
      if (path.endsWith('.html')) {
        reply.header('cache-control', 'no-cache')
        reply.header('content-security-policy', policy)
        reply.header('referrer-policy', 'no-referrer')
      } else {
        reply.header('cache-control', 'public, max-age=31536000, immutable')
      }
    },
  })
}
