import { ErrorCatalogue, type ErrorCode, type ErrorKind } from '@shop/contracts'

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
  readonly code: ErrorCode
  readonly title: string
  readonly detail: string | undefined
  /** The fields at fault, when the error is about some: served as the problem's `errors`. */
  readonly errors: FieldError[] | undefined

  /** `kind` is an entry of ErrorCatalogue, with its title made more precise where that helps. */
  constructor(kind: ErrorKind, detail?: string, errors?: FieldError[]) {
    super(detail ?? kind.title)
    this.name = 'AppError'
    this.status = kind.status
    this.code = kind.code
    this.title = kind.title
    this.detail = detail
    this.errors = errors
  }
}

export const validationFailed = (detail: string, errors?: FieldError[]) =>
  new AppError(ErrorCatalogue.validationFailed, detail, errors)
