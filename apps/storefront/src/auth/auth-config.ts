/** How the gateway establishes who is calling, as `GET /auth/config` says. */
export type AuthConfig =
  | { mode: 'header' }
  | { mode: 'oidc'; issuer: string; client_id: string; audience: string }

type Fetch = (input: string, init?: RequestInit) => Promise<Response>

/** Asks the gateway which mode it runs in; a gateway that does not say runs in header mode. */
export async function readAuthConfig(fetchFn: Fetch, base = ''): Promise<AuthConfig> {
  const response = await fetchFn(`${base}/auth/config`, { headers: { accept: 'application/json' } })
  if (!response.ok) return { mode: 'header' }
  const body = (await response.json()) as Partial<AuthConfig>
  if (body.mode !== 'oidc') return { mode: 'header' }
  const { issuer, client_id, audience } = body as Record<string, unknown>
  if (typeof issuer !== 'string' || typeof client_id !== 'string' || typeof audience !== 'string') {
    throw new Error('/auth/config names oidc mode without its issuer, client and audience')
  }
  return { mode: 'oidc', issuer, client_id, audience }
}
