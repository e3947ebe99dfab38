export interface SignInPageProps {
  onSignIn(): void
  /** Why the last attempt failed, if it did. */
  error?: string | undefined
}

/** The page before sign-in in oidc mode: the shop asks the identity provider who the visitor is. */
export function SignInPage({ onSignIn, error }: SignInPageProps) {
  return (
    <div class="page">
      <header class="masthead">
        <h1>Shop</h1>
      </header>
      <main class="layout">
        <section class="card" aria-labelledby="sign-in-title">
          <h2 id="sign-in-title">Sign in</h2>
          <p class="hint">Sign in to see your account and your orders.</p>
          {error ? (
            <p class="field-error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="button-row">
            <button type="button" onClick={onSignIn}>
              Sign in
            </button>
          </div>
        </section>
      </main>
    </div>
  )
}
