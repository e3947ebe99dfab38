import { createHash, randomBytes } from 'node:crypto'

/** Cookies as a browser keeps them for one site, enough to walk a sign-in by HTTP. */
class CookieJar {
  readonly #cookies = new Map<string, string>()
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const at = pair.indexOf('=')
      this.#cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
  }
  get header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/** What a token endpoint answers: the access token, and with a sign-in also the ID and refresh tokens. */
export interface TokenResponse {
  access_token: string
  id_token?: string
  refresh_token?: string
}

async function discover(issuer: string) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`)
  return (await response.json()) as { authorization_endpoint: string; token_endpoint: string }
}

/** The token endpoint's answer, or an error naming what it said. */
async function tokenResponse(
  tokenEndpoint: string,
  body: URLSearchParams,
  headers: Record<string, string> = {},
) {
  const response = await fetch(tokenEndpoint, { method: 'POST', body, headers })
  const json = (await response.json()) as Partial<TokenResponse> & { error?: string }
  if (!response.ok || !json.access_token) throw new Error(`token endpoint: ${JSON.stringify(json)}`)
  return json as TokenResponse
}

/** An access token of a confidential client, by the client_credentials grant (RFC 6749 4.4). */
export async function clientCredentialsToken(
  issuer: string,
  client: { clientId: string; clientSecret: string },
  scope = 'shop',
): Promise<string> {
  const { token_endpoint } = await discover(issuer)
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope })
  return (await tokenResponse(token_endpoint, body, { authorization: `Basic ${basic}` })).access_token
}

/**
 * Signs a user in by Authorization Code with PKCE as a browser would, by HTTP alone: the
 * authorization request, the issuer's own sign-in form submitted, the redirects followed with
 * the issuer's cookies, and the code exchanged at the token endpoint.
 */
export async function signInByHttp(
  issuer: string,
  options: { clientId: string; redirectUri: string; login: string; password?: string },
): Promise<TokenResponse> {
  const { authorization_endpoint, token_endpoint } = await discover(issuer)
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(8).toString('hex')
  const start = new URL(authorization_endpoint)
  start.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: 'openid profile shop',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString()

  const jar = new CookieJar()
  const visit = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: jar.header },
    })
    jar.take(response)
    return response
  }
  /** Follows redirects within the issuer; answers the page it ends on, or the URL it leaves for. */
  const follow = async (first: Response) => {
    let response = first
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location')
      if (location === null) return { page: await response.text(), url: response.url }
      const next = new URL(location, response.url || issuer)
      if (next.href.startsWith(options.redirectUri)) return { leftFor: next }
      response = await visit(next.href)
    }
    throw new Error('too many redirects')
  }

  const signInPage = await follow(await visit(start.href))
  const action = /<form[^>]*action="([^"]+)"/.exec(signInPage.page ?? '')?.[1]
  if (!action) throw new Error(`no sign-in form in: ${signInPage.page?.slice(0, 300)}`)
  const submitted = await visit(new URL(action.replaceAll('&amp;', '&'), issuer).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ prompt: 'login', login: options.login, password: options.password ?? 'any' }),
  })
  const back = await follow(submitted)
  const code = back.leftFor?.searchParams.get('code')
  if (!code || back.leftFor?.searchParams.get('state') !== state) {
    throw new Error(`sign-in did not come back with a code: ${back.leftFor ?? back.page?.slice(0, 300)}`)
  }
  return tokenResponse(
    token_endpoint,
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: options.clientId,
      redirect_uri: options.redirectUri,
    }),
  )
}

/** New tokens for a public client's refresh token (RFC 6749 6), as a page renews its sign-in. */
export async function refreshTokens(
  issuer: string,
  clientId: string,
  refreshToken: string,
): Promise<TokenResponse> {
  const { token_endpoint } = await discover(issuer)
  return tokenResponse(
    token_endpoint,
    new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  )
}
