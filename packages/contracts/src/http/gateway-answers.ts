import { Type } from 'typebox'
import type { DocumentedResponses, ResponseHeaders } from './responses.ts'
import { header, mergeResponses, problemResponse, withHeadersOnEvery } from './responses.ts'
import { type Documented, type RouteDefinition, withResponses } from './route.ts'
import { anyRoute, RetryAfter } from './service-answers.ts'

const rateLimitHeaders = (required: boolean): ResponseHeaders => ({
  'x-ratelimit-limit': header(
    Type.Integer({ minimum: 1 }),
    'Requests this user may make in a minute (RATE_LIMIT_PER_MINUTE); absent when there is no limit.',
    { required },
  ),
  'x-ratelimit-remaining': header(
    Type.Integer({ minimum: 0 }),
    'Requests left to this user in the current minute.',
    { required },
  ),
  'x-ratelimit-reset': header(
    Type.Integer({ minimum: 0 }),
    'Seconds until the current minute’s budget is renewed.',
    { required },
  ),
})

/** What only the gateway answers, in front of any service: its limit, its URL check, a service down or slow. */
const AT_THE_GATEWAY: DocumentedResponses = {
  400: problemResponse('`invalid_query`: the query string is not valid percent-encoding.'),
  429: problemResponse(
    '`rate_limited`: this user made too many requests this minute; retry after Retry-After seconds.',
    {
      'retry-after': RetryAfter(true),
      ...rateLimitHeaders(true),
    },
  ),
  503: problemResponse('`upstream_unavailable`: the service behind this route cannot be reached.'),
  504: problemResponse('`upstream_timeout`: the service behind this route did not answer in time.'),
}

/**
 * A route as the gateway serves it: the service's documented answers, which it passes through
 * unchanged, with the gateway's own merged in (a status both give keeps both meanings), and the
 * rate-limit headers that every counted request carries.
 */
export function atTheGateway<const R extends RouteDefinition>(route: R): Documented<R> {
  const answers = mergeResponses(route.schema.response, AT_THE_GATEWAY)
  return anyRoute(withResponses(route, withHeadersOnEvery(answers, rateLimitHeaders(false))))
}
