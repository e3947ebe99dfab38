/** The fields of an RFC 9457 problem that the page reads. */
export interface ProblemBody {
  code?: unknown
  title?: unknown
  detail?: unknown
}

// Where the API's own detail is written for programmers, a sentence for people instead.
const IN_WORDS: Record<string, string> = {
  account_exists: 'This user id already has an account.',
  account_not_found: 'This user id has no account yet: open one first.',
  upstream_unavailable: 'The shop cannot answer right now. Try again in a moment.',
  upstream_timeout: 'The shop took too long to answer. Try again in a moment.',
  idempotency_key_in_use: 'The same request is still being processed. Wait a moment.',
  internal_error: 'Something went wrong in the shop. Try again later.',
}

/** An error answer of the API as a sentence to show: by its `code`, else its `detail` or `title`. */
export function problemText(status: number, body: ProblemBody | undefined): string {
  const code = typeof body?.code === 'string' ? body.code : undefined
  const known = code ? IN_WORDS[code] : undefined
  if (known) return known
  const detail = typeof body?.detail === 'string' && body.detail ? body.detail : undefined
  const title = typeof body?.title === 'string' && body.title ? body.title : undefined
  const text = detail ?? title ?? `The shop answered with status ${status}.`
  return /[.!?]$/.test(text) ? text : `${text}.`
}

export const NETWORK_ERROR_TEXT = 'Cannot reach the shop. Check your connection and try again.'
