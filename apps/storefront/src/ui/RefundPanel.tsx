import { useEffect, useState } from 'preact/hooks'
import type { ApiResult } from '../api/shop-api.ts'
import { formatAmount, parseOptionalAmount } from '../domain/money.ts'
import { type Order, type Refund, reasonInWords } from '../domain/order.ts'
import { AmountField } from './AmountField.tsx'
import { SubmitButton } from './SubmitButton.tsx'
import { useAmountForm } from './use-amount-form.ts'

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
  const [asked, setAsked] = useState(0)
  const form = useAmountForm(actions.newKey, parseOptionalAmount)
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

  const refund = async (amount: number | undefined, idempotencyKey: string) => {
    const result = await actions.requestRefund(order.id, amount, idempotencyKey)
    if (!result.ok) {
      form.showError(result.text)
      return false
    }
    setAsked((count) => count + 1)
    return true
  }

  const id = `refund-${order.id}`
  return (
    <div class="refunds" data-testid="refunds">
      {order.status === 'FINISHED' && (
        <form class="inline-form" onSubmit={form.submit(refund)} noValidate>
          <AmountField
            id={`${id}-amount`}
            label="How much to refund (empty: all that is left)"
            {...form.field}
          />
          <SubmitButton busy={form.busy} busyLabel="Refunding…">
            Refund
          </SubmitButton>
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
