import { FieldError } from './FieldError.tsx'

export interface AmountFieldProps {
  id: string
  label: string
  value: string
  error: string | undefined
  onInput(value: string): void
}

/** A money field: text with a decimal keypad on phones, checked by parseAmount before sending. */
export function AmountField({ id, label, value, error, onInput }: AmountFieldProps) {
  return (
    <>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
        inputMode="decimal"
        autocomplete="off"
        placeholder="0.00"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <FieldError id={`${id}-error`} text={error} />
    </>
  )
}
