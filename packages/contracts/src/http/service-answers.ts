import { Type } from 'typebox'
import {
  type DocumentedResponses,
  header,
  mergeResponses,
  problemResponse,
  type ResponseHeaders,
  withHeadersOnEvery,
} from './responses.ts'
import { type Documented, type RouteDefinition, withResponses } from './route.ts'

export const RetryAfter = (required: boolean) =>
  header(Type.Integer({ minimum: 0 }), 'Seconds to wait before trying again.', { required })

const REQUEST_ID_HEADERS: ResponseHeaders = {
  'x-request-id': header(
    Type.String({ pattern: '^[\\w.:-]{1,128}$' }),
    'The id of this request in the logs of every service it reached: the caller’s X-Request-Id when ' +
      'that is 1 to 128 of `A-Z a-z 0-9 _ . : -`, else a new one. Absent only from the answers of the ' +
      'HTTP parser and router (408, 414, 431).',
  ),
}

const REPLAY_HEADERS: ResponseHeaders = {
  'idempotent-replayed': header(
    Type.Literal('true'),
    'Present when this is the recorded answer to an earlier request with the same Idempotency-Key and body.',
  ),
}

/** What any request may be answered by the HTTP parser and router, before a route runs. */
const ANY_REQUEST: DocumentedResponses = {
  400: problemResponse('`malformed_url`: the path is not valid percent-encoding.'),
  408: problemResponse('`request_timeout`: the request did not arrive in time; the connection is closed.'),
  431: problemResponse(
    '`headers_too_large`: the request line and headers are over 16 KiB; the connection is closed.',
  ),
}

/** What any business route of a service may answer, whatever it does: the identity check and the database. */
const EVERY_SERVICE_ROUTE: DocumentedResponses = {
  400: problemResponse('`missing_user_id`, `invalid_user_id`: X-User-Id is missing or not one UUID.'),
  503: problemResponse(
    '`service_unavailable`: the service cannot reach its database; retry after Retry-After seconds.',
    { 'retry-after': RetryAfter(true) },
  ),
}

/** What a route with a JSON body may answer about that body, which is read exactly as sent or refused. */
const WITH_BODY: DocumentedResponses = {
  400: problemResponse(
    '`malformed_json`: the body is not JSON, or not UTF-8, or names `__proto__`. ' +
      '`duplicate_json_key`: an object gives a name twice; `errors` points at it.',
  ),
  413: problemResponse('`payload_too_large`: the body is over 64 KiB.'),
  415: problemResponse(
    '`unsupported_media_type`: the body is not `application/json` in UTF-8. ' +
      '`unsupported_content_encoding`: the body has a Content-Encoding other than identity.',
    {
      'accept-encoding': header(
        Type.Literal('identity'),
        'With `unsupported_content_encoding`: bodies are taken unencoded only.',
      ),
    },
  ),
  422: problemResponse(
    '`validation_failed`: the body breaks the schema, or holds a number a double cannot hold exactly ' +
      'as written; `errors` names each field.',
  ),
}

/** What a route that takes an Idempotency-Key may answer about the key. */
const WITH_IDEMPOTENCY_KEY: DocumentedResponses = {
  400: problemResponse('`invalid_header`: Idempotency-Key is not 1 to 255 visible ASCII characters.'),
  409: problemResponse(
    '`idempotency_key_in_use`: a request with this Idempotency-Key is still running; retry later.',
  ),
  422: problemResponse('`idempotency_key_reused`: this Idempotency-Key was used with another request.'),
}

const WITH_PATH_PARAMETERS: DocumentedResponses = {
  400: problemResponse('`invalid_path_parameter`: a path parameter breaks its schema.'),
  414: problemResponse('`path_parameter_too_long`: a path parameter is longer than any this API accepts.'),
}

const WITH_QUERY: DocumentedResponses = {
  400: problemResponse(
    '`invalid_query`: the query has a parameter the route does not take, or one that breaks its schema.',
  ),
}

const takesIdempotencyKey = (route: RouteDefinition) =>
  'idempotency-key' in ((route.schema.headers as { properties?: object } | undefined)?.properties ?? {})

/** The success answers (2xx) of a route, with Idempotent-Replayed where a replay may answer them. */
function successesOf(route: RouteDefinition): DocumentedResponses {
  const successes = Object.entries(route.schema.response).filter(([status]) => status.startsWith('2'))
  const documented = Object.fromEntries(successes) as DocumentedResponses
  return takesIdempotencyKey(route) ? withHeadersOnEvery(documented, REPLAY_HEADERS) : documented
}

/**
 * Any route, documented with what every request may be answered besides the route's own answers,
 * and the X-Request-Id every answer carries.
 */
export function anyRoute<const R extends RouteDefinition>(route: R): Documented<R> {
  const answers = mergeResponses(route.schema.response, ANY_REQUEST)
  return withResponses(route, withHeadersOnEvery(answers, REQUEST_ID_HEADERS))
}

/**
 * A business route of a service, documented with every answer it can give: its own, and those
 * that follow from what it takes (a body, an Idempotency-Key, path parameters, a query string) or
 * that any such route gives. The gateway documents it the same, with its own answers added
 * (`atTheGateway`).
 */
export function serviceRoute<const R extends RouteDefinition>(route: R): Documented<R> {
  const { schema } = route
  const answers = mergeResponses(
    schema.response,
    successesOf(route),
    EVERY_SERVICE_ROUTE,
    schema.body ? WITH_BODY : {},
    takesIdempotencyKey(route) ? WITH_IDEMPOTENCY_KEY : {},
    schema.params ? WITH_PATH_PARAMETERS : {},
    schema.querystring ? WITH_QUERY : {},
  )
  return anyRoute(withResponses(route, answers))
}
