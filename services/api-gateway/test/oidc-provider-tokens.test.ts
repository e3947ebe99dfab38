import { v5 as uuidV5 } from 'uuid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevIssuer, startDevIssuer } from '../../../apps/dev-issuer/src/dev-issuer.ts'
import { clientCredentialsToken, refreshTokens, signInByHttp } from '../../../tests/support/oidc-sign-in.ts'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type RealUpstreams, startRealUpstreams } from './support/real-upstreams.ts'

const AUDIENCE = 'shop-api'
const STOREFRONT = { clientId: 'storefront', redirectUri: 'http://127.0.0.1:18200/' }

let issuer: DevIssuer
let services: RealUpstreams
let gateway: Gateway

beforeAll(async () => {
  issuer = await startDevIssuer({
    host: '127.0.0.1',
    port: 0,
    audience: AUDIENCE,
    storefront: { clientId: STOREFRONT.clientId, redirectUris: [STOREFRONT.redirectUri] },
  })
  services = await startRealUpstreams()
  gateway = await startGateway({
    ...services,
    auth: { AUTH_MODE: 'oidc', OIDC_ISSUER: issuer.url, OIDC_AUDIENCE: AUDIENCE },
  })
})

afterAll(async () => {
  await gateway?.close()
  await services?.close()
  await issuer?.close()
})

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })
const post = (url: string, token: string, payload: object) =>
  gateway.inject({ method: 'POST', url, headers: bearer(token), payload })
const userIdOf = (subject: string) => uuidV5(`${issuer.url}#${encodeURIComponent(subject)}`, uuidV5.URL)

describe('tokens issued by oidc-provider (the development issuer), through the gateway to the real services', () => {
  it('when alice signs in with Authorization Code and PKCE, then her token opens her account and places her order', async () => {
    const { access_token } = await signInByHttp(issuer.url, { ...STOREFRONT, login: 'alice' })

    const account = await post('/accounts', access_token, { initial_balance: 100 })
    const order = await post('/orders', access_token, { amount: 30 })

    expect(account.statusCode).toBe(201)
    expect(account.json()).toMatchObject({ user_id: userIdOf('alice'), balance: 100 })
    expect(order.statusCode).toBe(201)
    expect(order.json()).toMatchObject({ user_id: userIdOf('alice'), status: 'NEW' })

    const { access_token: bobs } = await signInByHttp(issuer.url, { ...STOREFRONT, login: 'bob' })
    const byBob = await gateway.inject({
      method: 'GET',
      url: `/orders/${order.json().id}`,
      headers: bearer(bobs),
    })
    expect(byBob.statusCode).toBe(404)
  })

  it('when the page renews its token with the refresh token, then the new token is accepted as the same user', async () => {
    const signedIn = await signInByHttp(issuer.url, { ...STOREFRONT, login: 'carol' })
    expect(signedIn.refresh_token).toBeDefined()
    const renewed = await refreshTokens(issuer.url, STOREFRONT.clientId, signedIn.refresh_token ?? '')

    const response = await gateway.inject({
      method: 'GET',
      url: '/orders',
      headers: bearer(renewed.access_token),
    })

    expect(renewed.access_token).not.toBe(signedIn.access_token)
    expect(response.statusCode).toBe(200)
  })

  it('when a machine client gets a token by client_credentials, then it is accepted as its own user', async () => {
    const token = await clientCredentialsToken(issuer.url, issuer.serviceClient)
    const response = await gateway.inject({
      method: 'POST',
      url: '/orders',
      headers: bearer(token),
      payload: { amount: 1 },
    })

    expect(response.statusCode).toBe(201)
    expect(response.json().user_id).toBe(userIdOf(issuer.serviceClient.clientId))
  })

  it('when the ID token of a sign-in (for the storefront, not the API) is sent, then 401 invalid_token', async () => {
    const { id_token } = await signInByHttp(issuer.url, { ...STOREFRONT, login: 'alice' })
    expect(id_token).toBeDefined()

    const response = await gateway.inject({ method: 'GET', url: '/orders', headers: bearer(id_token ?? '') })

    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toMatch(/aud claim/)
  })
})
