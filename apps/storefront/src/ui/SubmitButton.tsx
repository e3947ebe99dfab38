import type { ComponentChildren } from 'preact'

/** A form's submit button, disabled and saying what it is doing while the request is on its way. */
export function SubmitButton({
  busy,
  busyLabel,
  children,
}: {
  busy: boolean
  busyLabel: string
  children: ComponentChildren
}) {
  return (
    <button type="submit" disabled={busy}>
      {busy ? busyLabel : children}
    </button>
  )
}
