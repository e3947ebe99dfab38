import { useState } from 'preact/hooks'
import type { Parsed } from '../domain/money.ts'
import { useIdempotencyKey } from './use-idempotency-key.ts'

/**
 * What every form around an AmountField keeps: the text typed, the message under the field, whether
 * a request is on its way, and one Idempotency-Key per intended action. Editing clears the message
 * and starts a new key; a text that `parse` refuses is never sent.
 */
export function useAmountForm<Amount>(newKey: () => string, parse: (text: string) => Parsed<Amount>) {
  const [amount, setAmount] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const key = useIdempotencyKey(newKey)

  /** A submit handler: sends the parsed amount with the form's key; success spends the key and empties the field. */
  const submit =
    (send: (amount: Amount, idempotencyKey: string) => Promise<boolean>) => async (event: Event) => {
      event.preventDefault()
      const parsed = parse(amount)
      if (!parsed.ok) {
        setError(parsed.message)
        return
      }
      setBusy(true)
      if (await send(parsed.value, key.current())) {
        key.reset()
        setAmount('')
      }
      setBusy(false)
    }

  const onInput = (value: string) => {
    setAmount(value)
    setError(undefined)
    key.reset()
  }

  return {
    busy,
    /** The AmountField's value, message and input handler. */
    field: { value: amount, error, onInput },
    /** Another field of the same form changed: the next send is a new action. */
    edited: key.reset,
    /** Shows a refusal (the API's, in words) under the amount field. */
    showError: setError,
    submit,
  }
}
