/** A message under a field or form, announced when it appears and tied to the field by its id. */
export function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null
  return (
    <p id={id} class="field-error" role="alert">
      {text}
    </p>
  )
}
