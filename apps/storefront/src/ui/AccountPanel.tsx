import { useState } from 'preact/hooks'
import { formatAmount, parseAmount } from '../domain/money.ts'
import type { AccountState } from '../state/shop-state.ts'
import { AmountField } from './AmountField.tsx'
import { FieldError } from './FieldError.tsx'
import { SubmitButton } from './SubmitButton.tsx'
import { useAmountForm } from './use-amount-form.ts'
import { useIdempotencyKey } from './use-idempotency-key.ts'

export interface AccountPanelProps {
  account: AccountState
  /** The API's refusal of the last attempt to open or top up, in words. */
  openError: string | undefined
  topUpError: string | undefined
  onOpen(idempotencyKey: string): Promise<boolean>
  onTopUp(amount: number, idempotencyKey: string): Promise<boolean>
  onRetry(): void
  newKey(): string
}

/** The account: open one, see the balance, top it up. */
export function AccountPanel(props: AccountPanelProps) {
  const { account } = props
  return (
    <section class="card" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      {account.kind === 'loading' && <p class="quiet">Reading the balance…</p>}
      {account.kind === 'unknown' && (
        <p>
          The balance could not be read.{' '}
          <button type="button" class="link" onClick={props.onRetry}>
            Try again
          </button>
        </p>
      )}
      {account.kind === 'missing' && <OpenAccount {...props} />}
      {/* Outside the states: "already has an account" stays in view as that account appears. */}
      <FieldError id="open-error" text={props.openError} />
      {account.kind === 'open' && (
        <>
          <p class="balance">
            <span class="balance-label" id="balance-label">
              Balance
            </span>
            <output class="balance-amount" aria-labelledby="balance-label" data-testid="balance">
              {formatAmount(account.balance)}
            </output>
          </p>
          <TopUpForm {...props} />
        </>
      )}
    </section>
  )
}

function OpenAccount({ onOpen, openError, newKey }: AccountPanelProps) {
  const [busy, setBusy] = useState(false)
  const key = useIdempotencyKey(newKey)
  const open = async () => {
    setBusy(true)
    if (await onOpen(key.current())) key.reset()
    setBusy(false)
  }
  return (
    <>
      <p>This user id has no account yet. Open one to top it up and pay for orders.</p>
      <button
        type="button"
        onClick={open}
        disabled={busy}
        aria-describedby={openError ? 'open-error' : undefined}
      >
        {busy ? 'Opening…' : 'Open an account'}
      </button>
    </>
  )
}

function TopUpForm({ onTopUp, topUpError, newKey }: AccountPanelProps) {
  const form = useAmountForm(newKey, parseAmount)
  return (
    <form class="stacked-form" onSubmit={form.submit(onTopUp)} noValidate aria-labelledby="topup-title">
      <h3 id="topup-title" class="visually-hidden">
        Top up
      </h3>
      <AmountField id="topup-amount" label="Top up by" {...form.field} />
      <SubmitButton busy={form.busy} busyLabel="Topping up…">
        Top up
      </SubmitButton>
      <FieldError id="topup-error" text={topUpError} />
    </form>
  )
}
