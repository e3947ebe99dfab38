import { render } from 'preact'
import { createShopApi } from './api/shop-api.ts'
import { readAuthConfig } from './auth/auth-config.ts'
import { openOidcSession } from './auth/oidc-session.ts'
import { ticketedLiveUrl } from './auth/ticketed-live-url.ts'
import { newUserId } from './domain/user-id.ts'
import { liveStatusUrl } from './live/live-status.ts'
import { App } from './ui/App.tsx'
import { SignInPage } from './ui/SignInPage.tsx'
import './styles.css'

/** localStorage, or nothing where the browser refuses it (some private modes throw on access). */
function browserStore(): Storage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined
  }
}

const fetchFn = (input: string, init?: RequestInit) => fetch(input, init)
const copy = (text: string) => navigator.clipboard.writeText(text)

/** Header mode: the visitor is a user id kept in this browser, as the gateway takes X-User-Id. */
function headerModePage() {
  return (
    <App
      api={createShopApi(fetchFn)}
      store={browserStore()}
      newUserId={() => newUserId(crypto)}
      liveUrl={(userId) => liveStatusUrl(window.location, userId)}
      copy={copy}
    />
  )
}

/** oidc mode: the identity provider says who the visitor is; every call carries its access token. */
async function oidcModePage(config: Parameters<typeof openOidcSession>[0]) {
  let session: Awaited<ReturnType<typeof openOidcSession>>
  try {
    session = await openOidcSession(config, window.location, window.history)
  } catch (error) {
    // A sign-in that came back spoiled (an old tab, a provider that is down): start it again.
    const retry = () => window.location.assign('/')
    return <SignInPage onSignIn={retry} error={`Signing in did not work: ${(error as Error).message}`} />
  }
  const { signedIn } = session
  if (signedIn === undefined) {
    const signIn = () =>
      session.signIn().catch((error: Error) => {
        // The provider cannot be reached, say: the page stays, and says why.
        if (root)
          render(<SignInPage onSignIn={signIn} error={`Signing in did not start: ${error.message}`} />, root)
      })
    return <SignInPage onSignIn={signIn} />
  }
  const bearer = () => ({ authorization: `Bearer ${signedIn.accessToken()}` })
  return (
    <App
      api={createShopApi(fetchFn, '', bearer)}
      store={undefined}
      signedInAs={signedIn.subject}
      newUserId={() => newUserId(crypto)}
      liveUrl={() => ticketedLiveUrl(fetchFn, window.location, signedIn.accessToken)}
      copy={copy}
      account={{ name: signedIn.name, signOut: () => void signedIn.signOut() }}
    />
  )
}

const root = document.getElementById('app')
if (root) {
  const config = await readAuthConfig(fetchFn)
  render(config.mode === 'oidc' ? await oidcModePage(config) : headerModePage(), root)
}
