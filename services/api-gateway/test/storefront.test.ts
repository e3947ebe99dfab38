import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHttpApp } from '@shop/platform'
import { describe, expect, it } from 'vitest'
import { testLogger } from '../../../tests/support/logger.ts'
import { STOREFRONT_DIST, storefront } from '../src/http/storefront.ts'
import { useGatewayOverEcho } from './support/gateway.ts'

// The test setup builds the storefront when it is missing or stale, as `npm start` does.
const fixture = useGatewayOverEcho()

describe('the storefront served by the gateway', () => {
  it('when / is asked, then the page comes, revalidated on each visit and held to its own origin', async () => {
    const response = await fixture.gateway.inject({ method: 'GET', url: '/' })

    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    expect(response.body).toContain('<div id="app"></div>')
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.headers['content-security-policy']).toContain("default-src 'self'")
    expect(response.headers['x-content-type-options']).toBe('nosniff')
  })

  it('when the page is served, then it may connect to its own origin only, and in oidc mode to its issuer too', async () => {
    const headerMode = await fixture.gateway.inject({ method: 'GET', url: '/' })
    expect(headerMode.headers['content-security-policy']).toContain("connect-src 'self';")

    const app = await createHttpApp({ title: 't', description: 'd', logger: testLogger })
    await app.register(storefront, { issuer: 'https://id.example.com/realms/shop' })
    try {
      const oidcMode = await app.inject({ method: 'GET', url: '/' })
      expect(oidcMode.headers['content-security-policy']).toContain(
        "connect-src 'self' https://id.example.com;",
      )
    } finally {
      await app.close()
    }
  })

  it('when a built asset is asked, then it comes with a cache that never revalidates (its name is its hash)', async () => {
    const [asset] = (await readdir(join(STOREFRONT_DIST, 'assets'))).filter((file) => file.endsWith('.js'))

    const response = await fixture.gateway.inject({ method: 'GET', url: `/assets/${asset}` })

    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/javascript/)
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it('when another path is asked, then the API’s routes and 404 problem answer, not the page', async () => {
    const missing = await fixture.gateway.inject({ method: 'GET', url: '/assets/nothing.js' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ code: 'route_not_found' })

    expect((await fixture.gateway.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' })
    expect((await fixture.gateway.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200)
  })

  it('when the storefront has not been built, then / says how to build it and the API still works', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'storefront-'))
    const app = await createHttpApp({ title: 't', description: 't', logger: testLogger })
    await app.register(storefront, { root: empty })

    const response = await app.inject({ method: 'GET', url: '/' })

    expect(response.statusCode).toBe(503)
    expect(response.body).toContain('npm run build')
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    await app.close()
    await rm(empty, { recursive: true })
  })
})
