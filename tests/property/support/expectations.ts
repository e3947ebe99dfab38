import { Value } from 'typebox/value'
import { type Endpoint, endpointOf } from './endpoints.ts'
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
    expectReadAsSent(raw, endpoint, response)
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
  if (status === 405) expectAllowWithout(raw, response)
  // A HEAD answer has headers only.
  if (raw.method === 'HEAD') return 'rejected'
  const problem = parse(response.body) as { code?: unknown; status?: unknown } | undefined
  if (typeof problem?.code !== 'string' || problem.status !== status) {
    throw new BrokenPromise('a problem without a string code or with another status', raw, response)
  }
  return 'rejected'
}

const headerOf = (raw: RawRequest, name: string): string | undefined => {
  const value = raw.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** A query parameter's name as the services decode it; a name that does not decode is not a name they know. */
const queryNames = (path: string): string[] => {
  const query = path.split('#')[0]?.split('?').slice(1).join('?') ?? ''
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const name = pair.split('=')[0] ?? ''
      try {
        return decodeURIComponent(name.replaceAll('+', ' '))
      } catch {
        return name
      }
    })
}

/** `application/json`, with no charset or UTF-8 under any spelling of its case. */
const isUtf8Json = (contentType: string | undefined): boolean => {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';')
  if (mediaType.trim().toLowerCase() !== 'application/json') return false
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim().toLowerCase())
    return name !== 'charset' || ['utf-8', 'utf8', '"utf-8"'].includes(value)
  })
}

/**
 * A 2xx means every part of the request was read exactly as sent: no query parameter the route
 * does not take (it would be ignored), no content coding but identity, and a POST body that is
 * UTF-8 JSON (anything else would be read as something the client did not send).
 */
function expectReadAsSent(raw: RawRequest, endpoint: Endpoint, response: RawResponse): void {
  const unknown = queryNames(raw.path).filter((name) => !endpoint.query.includes(name))
  if (unknown.length > 0) {
    throw new BrokenPromise(
      `a ${response.status} that ignored the query parameters ${unknown}`,
      raw,
      response,
    )
  }
  const codings = (headerOf(raw, 'content-encoding') ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  if (codings.length > 0) {
    throw new BrokenPromise(
      `a ${response.status} for a request in Content-Encoding ${codings}, never decoded`,
      raw,
      response,
    )
  }
  if (raw.method === 'POST' && raw.body?.length && !isUtf8Json(headerOf(raw, 'content-type'))) {
    throw new BrokenPromise(`a ${response.status} for a body that is not UTF-8 JSON`, raw, response)
  }
}

/** A 405 says which methods the path does take, and the one asked is not among them. */
function expectAllowWithout(raw: RawRequest, response: RawResponse): void {
  const allow = String(response.headers.allow ?? '')
    .split(',')
    .map((method) => method.trim())
  if (allow.length === 0 || allow[0] === '' || allow.includes(raw.method)) {
    throw new BrokenPromise(
      `a 405 whose Allow (${response.headers.allow}) does not fit ${raw.method}`,
      raw,
      response,
    )
  }
}
