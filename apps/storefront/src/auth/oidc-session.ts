import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts'
import type { AuthConfig } from './auth-config.ts'

/** A signed-in visitor in oidc mode: who, the current access token, and the way out. */
export interface SignedIn {
  /** The token's subject: the key the page keeps this visitor's state under. */
  subject: string
  /** The name to show: the provider's name, username or e-mail, else the subject. */
  name: string
  /** The access token of this moment: renewed in the background before it expires. */
  accessToken(): string
  /** Called with the renewed user each time the tokens are renewed. */
  onRenewed(listener: () => void): void
  signOut(): Promise<void>
}

export type OidcSession = { signedIn: SignedIn } | { signedIn: undefined; signIn(): Promise<void> }

const displayName = (user: User) =>
  user.profile.name ?? user.profile.preferred_username ?? user.profile.email ?? user.profile.sub

/**
 * Sign-in with Authorization Code and PKCE through oidc-client-ts: the provider's own page signs
 * the visitor in and sends the browser back to `/` with a code, exchanged here for tokens that
 * live in sessionStorage (this tab only). Tokens are renewed before they expire (with the refresh
 * token where the provider gives one). Sign-out ends the provider's session too.
 */
export async function openOidcSession(
  config: Extract<AuthConfig, { mode: 'oidc' }>,
  location: Location,
  history: History,
): Promise<OidcSession> {
  const home = `${location.origin}/`
  const manager = new UserManager({
    authority: config.issuer,
    client_id: config.client_id,
    redirect_uri: home,
    post_logout_redirect_uri: home,
    response_type: 'code',
    scope: 'openid profile',
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  })
  const query = new URLSearchParams(location.search)
  if (query.has('code') && query.has('state')) {
    await manager.signinRedirectCallback()
    // The code is spent: keep it out of the history and of any reload.
    history.replaceState(null, '', home)
  }
  let user = await manager.getUser()
  if (user === null || user.expired) {
    return { signedIn: undefined, signIn: () => manager.signinRedirect() }
  }
  const renewed = new Set<() => void>()
  manager.events.addUserLoaded((next) => {
    user = next
    for (const listener of renewed) listener()
  })
  const current = user
  return {
    signedIn: {
      subject: current.profile.sub,
      name: displayName(current),
      accessToken: () => user?.access_token ?? '',
      onRenewed: (listener) => renewed.add(listener),
      signOut: async () => {
        const idToken = user?.id_token
        await manager.removeUser()
        await manager.signoutRedirect(idToken ? { id_token_hint: idToken } : {})
      },
    },
  }
}
