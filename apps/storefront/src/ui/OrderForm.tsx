import { useState } from 'preact/hooks'
import { formatAmount, parseAmount } from '../domain/money.ts'
import type { Order } from '../domain/order.ts'
import { AmountField } from './AmountField.tsx'
import { FieldError } from './FieldError.tsx'
import { StatusBadge } from './StatusBadge.tsx'
import { SubmitButton } from './SubmitButton.tsx'
import { useAmountForm } from './use-amount-form.ts'

const MAX_DESCRIPTION_LENGTH = 500

export interface OrderFormProps {
  /** The API's refusal of the last order, in words. */
  error: string | undefined
  /** The order placed last, shown here too: on a phone the list is further down. */
  lastPlaced: Order | undefined
  onPlace(order: { amount: number; description?: string }, idempotencyKey: string): Promise<boolean>
  newKey(): string
}

/** Places an order; it is paid from the balance a moment later, or cancelled. */
export function OrderForm({ error, lastPlaced, onPlace, newKey }: OrderFormProps) {
  const [description, setDescription] = useState('')
  const form = useAmountForm(newKey, parseAmount)

  const place = async (amount: number, idempotencyKey: string) => {
    const text = description.trim()
    const placed = await onPlace({ amount, ...(text ? { description: text } : {}) }, idempotencyKey)
    if (placed) setDescription('')
    return placed
  }

  return (
    <section class="card" aria-labelledby="order-title">
      <h2 id="order-title">Place an order</h2>
      <form class="stacked-form" onSubmit={form.submit(place)} noValidate>
        <AmountField id="order-amount" label="Amount" {...form.field} />
        <label for="order-description">
          Description <span class="quiet">(optional)</span>
        </label>
        <input
          id="order-description"
          name="description"
          value={description}
          maxLength={MAX_DESCRIPTION_LENGTH}
          onInput={(event) => {
            setDescription(event.currentTarget.value)
            form.edited()
          }}
          placeholder="A kettle"
        />
        <SubmitButton busy={form.busy} busyLabel="Placing…">
          Place order
        </SubmitButton>
        <FieldError id="order-error" text={error} />
      </form>
      {lastPlaced && (
        // The announcer already says each change; this is for the eyes.
        <p class="last-order" data-testid="last-order" aria-hidden="true">
          <span>
            Last order: {lastPlaced.description ?? 'no description'}, {formatAmount(lastPlaced.amount)}
          </span>
          <StatusBadge status={lastPlaced.status} />
        </p>
      )}
      <p class="hint">
        The balance pays for the order a moment later: it turns FINISHED, or CANCELLED if the balance is
        short.
      </p>
    </section>
  )
}
