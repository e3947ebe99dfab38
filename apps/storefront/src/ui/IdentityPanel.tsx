import { useState } from 'preact/hooks'
import { normalizeUserId } from '../domain/user-id.ts'
import { FieldError } from './FieldError.tsx'

export interface IdentityPanelProps {
  userId: string
  onSwitch(userId: string): void
  newUserId(): string
  copy(text: string): Promise<void>
}

/** Who the visitor is to the shop: the user id, to copy, replace with a new one, or swap for another. */
export function IdentityPanel({ userId, onSwitch, newUserId, copy }: IdentityPanelProps) {
  const [copied, setCopied] = useState('')
  const [other, setOther] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)

  const copyId = async () => {
    try {
      await copy(userId)
      setCopied('Copied.')
    } catch {
      setCopied('Copying is not allowed here: select the id and copy it by hand.')
    }
  }

  const switchTo = (next: string) => {
    setCopied('')
    setError(undefined)
    setOther('')
    onSwitch(next)
  }

  const submit = (event: Event) => {
    event.preventDefault()
    const next = normalizeUserId(other)
    if (!next) {
      setError('A user id looks like 7c9e6679-7425-40de-944b-e07fc1f90ae7.')
      return
    }
    switchTo(next)
  }

  return (
    <section class="card" aria-labelledby="identity-title">
      <h2 id="identity-title">You</h2>
      <p class="hint">
        The shop knows you by this user id, kept in this browser. Keep a copy to come back as the same user.
      </p>
      <div class="user-id-row">
        <code class="user-id" data-testid="user-id">
          {userId}
        </code>
        <div class="button-row">
          <button type="button" class="secondary" onClick={copyId}>
            Copy
          </button>
          <button type="button" class="secondary" onClick={() => switchTo(newUserId())}>
            New user id
          </button>
        </div>
      </div>
      <p class="quiet" role="status">
        {copied}
      </p>
      <form class="stacked-form" onSubmit={submit} noValidate>
        <label for="other-user-id">Use another user id</label>
        <div class="field-row">
          <input
            id="other-user-id"
            name="user-id"
            value={other}
            onInput={(event) => {
              setOther(event.currentTarget.value)
              setError(undefined)
            }}
            placeholder="Paste a user id"
            autocomplete="off"
            spellcheck={false}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'other-user-id-error' : undefined}
          />
          <button type="submit" class="secondary">
            Switch
          </button>
        </div>
        <FieldError id="other-user-id-error" text={error} />
      </form>
    </section>
  )
}
