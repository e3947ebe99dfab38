export interface SignedInPanelProps {
  name: string
  onSignOut(): void
}

/** Who the visitor is signed in as, with the identity provider, and the way out. */
export function SignedInPanel({ name, onSignOut }: SignedInPanelProps) {
  return (
    <section class="card" aria-labelledby="identity-title">
      <h2 id="identity-title">You</h2>
      <p>
        Signed in as <strong data-testid="signed-in-as">{name}</strong>.
      </p>
      <div class="button-row">
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </section>
  )
}
