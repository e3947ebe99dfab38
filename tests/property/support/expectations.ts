import { Value } from 'typebox/value'
import { endpointOf } from './endpoints.ts'
import { describeExchange, type RawRequest, type RawResponse } from './raw-http.ts'

/** Thrown with the whole exchange, so a failing run says exactly what was sent and answered. */
export class BrokenPromise extends Error {
  override name = 'BrokenPromise'
  constructor(promise: string, raw: RawRequest, response?: RawResponse) {
    super(`${promise}\n${describeExchange(raw, response)}`)
  }
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The caller as the services read X-User-Id: one UUID, trimmed, lower-cased. */
const callerOf = (raw: RawRequest): string | undefined => {
  const header = raw.headers['x-user-id']
  return typeof header === 'string' ? header.trim().toLowerCase() : undefined
}

/**
 * What every answer of the public edge must be: 2xx or 4xx, never 5xx; a 4xx is problem JSON with
 * a string `code` and its own status; a 2xx has the shape the contract promises for the endpoint
 * the request reached, and only ever shows the caller's own data.
 */
export function expectWellFormed(raw: RawRequest, response: RawResponse): 'success' | 'rejected' {
  const { status } = response
  if (status >= 200 && status < 300) {
    if (raw.method === 'HEAD') return 'success'
    const endpoint = endpointOf(raw.method, raw.path)
    if (!endpoint) throw new BrokenPromise('a 2xx from no public endpoint', raw, response)
    const body = parse(response.body)
    if (status !== endpoint.successStatus || !Value.Check(endpoint.success, body)) {
      const errors = [...Value.Errors(endpoint.success, body)].slice(0, 3).map((error) => error.message)
      throw new BrokenPromise(
        `a ${status} that breaks the ${endpoint.name} contract: ${errors}`,
        raw,
        response,
      )
    }
    const caller = callerOf(raw)
    const owners = (Array.isArray(body) ? body : [body]).map((item) => (item as { user_id?: string }).user_id)
    if (owners.some((owner) => owner !== undefined && owner !== caller)) {
      throw new BrokenPromise(`a ${status} showing another user's data to ${caller}`, raw, response)
    }
    return 'success'
  }
  if (status < 400 || status >= 500)
    throw new BrokenPromise(`status ${status}: neither 2xx nor 4xx`, raw, response)
  if (!String(response.headers['content-type'] ?? '').startsWith('application/problem+json')) {
    throw new BrokenPromise('a 4xx that is not application/problem+json', raw, response)
  }
  // A HEAD answer has headers only.
  if (raw.method === 'HEAD') return 'rejected'
  const problem = parse(response.body) as { code?: unknown; status?: unknown } | undefined
  if (typeof problem?.code !== 'string' || problem.status !== status) {
    throw new BrokenPromise('a problem without a string code or with another status', raw, response)
  }
  return 'rejected'
}
