/**
 * The one error type the services throw on purpose: an HTTP status, a stable machine code that
 * clients may branch on, and a human title. The problem handler turns it into RFC 9457 JSON.
 */
export class AppError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined

  constructor(status: number, code: string, title: string, detail?: string) {
    super(detail ?? title)
    this.name = 'AppError'
    this.status = status
    this.code = code
    this.title = title
    this.detail = detail
  }
}

export const validationFailed = (detail: string) =>
  new AppError(422, 'validation_failed', 'Validation failed', detail)
