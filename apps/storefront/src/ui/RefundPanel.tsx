import { useEffect, useState } from 'preact/hooks'
import type { ApiResult } from '../api/shop-api.ts'
import { formatAmount, parseAmount } from '../domain/money.ts'
import { type Order, type Refund, reasonInWords } from '../domain/order.ts'
import { AmountField } from './AmountField.tsx'
import { useIdempotencyKey } from './use-idempotency-key.ts'

/** How often, and how many times, a refund still PENDING is read again when no push says it settled. */
const PENDING_POLL_MS = 1_000
const PENDING_POLLS = 60

export interface RefundActions {
  requestRefund(
    orderId: string,
    amount: number | undefined,
    idempotencyKey: string,
  ): Promise<ApiResult<Refund>>
  listRefunds(orderId: string): Promise<ApiResult<Refund[]>>
  newKey(): string
}

/**
 * A paid order's refunds: a form for an amount (empty: all that is left) and each refund with its
 * status, read again when the order changes (a push, a re-read) and, while one is PENDING, every
 * second for a minute, so a refund that settled shows without a reload.
 */
export function RefundPanel({ order, actions }: { order: Order; actions: RefundActions }) {
  const [refunds, setRefunds] = useState<Refund[]>([])
  const [amount, setAmount] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [asked, setAsked] = useState(0)
  const key = useIdempotencyKey(actions.newKey)
  const pending = refunds.some((refund) => refund.status === 'PENDING')

  // Read again when the order changes (a push, a re-read) and after each refund asked for here.
  useEffect(() => {
    let stopped = false
    let polls = 0
    const read = async () => {
      const result = await actions.listRefunds(order.id)
      if (stopped || !result.ok) return
      setRefunds(result.value)
      const stillPending = result.value.some((refund) => refund.status === 'PENDING')
      if (stillPending && polls < PENDING_POLLS) {
        polls += 1
        setTimeout(read, PENDING_POLL_MS)
      }
    }
    void read()
    return () => {
      stopped = true
    }
  }, [order.id, order.status, order.refunded_amount, asked])

  const submit = async (event: Event) => {
    event.preventDefault()
    const text = amount.trim()
    const parsed = text === '' ? undefined : parseAmount(text)
    if (parsed && !parsed.ok) {
      setError(parsed.message)
      return
    }
    setBusy(true)
    const result = await actions.requestRefund(order.id, parsed?.value, key.current())
    setBusy(false)
    if (!result.ok) {
      setError(result.text)
      return
    }
    key.reset()
    setAmount('')
    setAsked((count) => count + 1)
  }

  const id = `refund-${order.id}`
  return (
    <div class="refunds" data-testid="refunds">
      {order.status === 'FINISHED' && (
        <form class="inline-form" onSubmit={submit} noValidate>
          <AmountField
            id={`${id}-amount`}
            label="How much to refund (empty: all that is left)"
            value={amount}
            error={error}
            onInput={(value) => {
              setAmount(value)
              setError(undefined)
              key.reset()
            }}
          />
          <button type="submit" disabled={busy}>
            {busy ? 'Refunding…' : 'Refund'}
          </button>
        </form>
      )}
      {refunds.length > 0 && (
        <ul class="refund-list" aria-live="polite" aria-busy={pending ? 'true' : undefined}>
          {refunds.map((refund) => (
            <li key={refund.id} data-testid="refund" data-status={refund.status}>
              Refund {formatAmount(refund.amount)}:{' '}
              <span class={`badge badge-${refund.status.toLowerCase()}`}>{refund.status}</span>
              {refund.reason && <span class="quiet"> ({reasonInWords(refund.reason)})</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
