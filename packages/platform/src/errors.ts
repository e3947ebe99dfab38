/** One offending field of a request, as a JSON pointer into it, and what is wrong with it. */
export interface FieldError {
  field: string
  message: string
}

/**
 * The one error type the services throw on purpose: an HTTP status, a stable machine code that
 * clients may branch on, and a human title. The problem handler turns it into RFC 9457 JSON.
 */
export class AppError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined
  /** The fields at fault, when the error is about some: served as the problem's `errors`. */
  readonly errors: FieldError[] | undefined

  constructor(status: number, code: string, title: string, detail?: string, errors?: FieldError[]) {
    super(detail ?? title)
    this.name = 'AppError'
    this.status = status
    this.code = code
    this.title = title
    this.detail = detail
    this.errors = errors
  }
}

export const validationFailed = (detail: string, errors?: FieldError[]) =>
  new AppError(422, 'validation_failed', 'Validation failed', detail, errors)
