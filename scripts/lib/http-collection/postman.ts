import { createHash } from 'node:crypto'
import { exampleOf, type OpenApiParameter, type Operation } from './openapi.ts'

/** The parts of the Postman Collection Format v2.1 this generator writes. */
export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

export interface PostmanEvent {
  listen: 'prerequest' | 'test'
  script: { type: 'text/javascript'; exec: string[] }
}

export interface PostmanKeyValue {
  key: string
  value: string
  description?: string
  disabled?: boolean
}

export interface PostmanRequest {
  method: string
  description?: string
  header: PostmanKeyValue[]
  url: {
    raw: string
    host: string[]
    path: string[]
    query?: PostmanKeyValue[]
    variable?: PostmanKeyValue[]
  }
  body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } }
}

export interface PostmanRequestItem {
  id: string
  name: string
  request: PostmanRequest
  event?: PostmanEvent[]
  response: []
}

export interface PostmanFolder {
  id: string
  name: string
  description: string
  item: PostmanRequestItem[]
}

export const BASE_URL_VARIABLE = 'baseUrl'

/**
 * A stable id derived from a name (shaped as a name-based UUID), so generating the collection
 * twice gives the same file and a re-import updates items instead of duplicating them.
 */
export function stableId(name: string): string {
  const hex = createHash('sha1').update(`shop-postman:${name}`).digest('hex')
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** A script of a request or the collection, one line per element as Postman stores it. */
export const script = (listen: PostmanEvent['listen'], lines: string[]): PostmanEvent => ({
  listen,
  script: { type: 'text/javascript', exec: lines },
})

/** `x-user-id` becomes `userId`, `order_id` becomes `orderId`: the variable a required parameter reads. */
export const variableFor = (parameterName: string) =>
  parameterName.replace(/^x-/i, '').replace(/[-_](\w)/g, (_, letter: string) => letter.toUpperCase())

/** Header names as they are usually written: `X-User-Id`, `Idempotency-Key`. */
const headerCase = (name: string) =>
  name.replace(/(^|-)(\w)/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())

/**
 * A parameter as Postman shows it: a required one reads its variable (`{{userId}}`); an optional
 * one is there but switched off, with its example if the schema has one.
 */
function keyValueOf(parameter: OpenApiParameter, key: string): PostmanKeyValue {
  const example = parameter.example ?? parameter.schema?.examples?.[0]
  return {
    key,
    value: parameter.required
      ? `{{${variableFor(parameter.name)}}}`
      : example === undefined
        ? ''
        : String(example),
    ...(parameter.description ? { description: parameter.description } : {}),
    ...(parameter.required ? {} : { disabled: true }),
  }
}

const JSON_CONTENT = 'application/json'

/** The request of one operation, its body the schema's example unless `body` is given. */
export function requestOf(operation: Operation, body?: unknown): PostmanRequest {
  const parameters = operation.parameters ?? []
  const of = (place: OpenApiParameter['in']) => parameters.filter((parameter) => parameter.in === place)
  const bodySchema = operation.requestBody?.content?.[JSON_CONTENT]?.schema
  const header = of('header').map((parameter) => keyValueOf(parameter, headerCase(parameter.name)))
  if (bodySchema) header.push({ key: 'Content-Type', value: JSON_CONTENT })

  const path = operation.path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(\w+)\}$/, ':$1'))
  const query = of('query').map((parameter) => keyValueOf(parameter, parameter.name))
  const variable = of('path').map((parameter) => keyValueOf(parameter, parameter.name))
  const enabledQuery = query.filter((parameter) => !parameter.disabled)
  const raw =
    `{{${BASE_URL_VARIABLE}}}/${path.join('/')}` +
    (enabledQuery.length ? `?${enabledQuery.map(({ key, value }) => `${key}=${value}`).join('&')}` : '')

  return {
    method: operation.method,
    ...(operation.description ? { description: operation.description } : {}),
    header,
    url: {
      raw,
      host: [`{{${BASE_URL_VARIABLE}}}`],
      path,
      ...(query.length ? { query } : {}),
      ...(variable.length ? { variable } : {}),
    },
    ...(bodySchema
      ? {
          body: {
            mode: 'raw' as const,
            raw: JSON.stringify(
              body ?? exampleOf(bodySchema, `${operation.method} ${operation.path} body`),
              null,
              2,
            ),
            options: { raw: { language: 'json' as const } },
          },
        }
      : {}),
  }
}

/**
 * One request of the collection: an endpoint's own, named by its summary and identified by its
 * method and path, or, with a `step` name, a step of a flow identified by that name.
 */
export function requestItem(
  operation: Operation,
  options: { step?: string; body?: unknown; event?: PostmanEvent[] } = {},
): PostmanRequestItem {
  const endpoint = `${operation.method} ${operation.path}`
  const name = options.step ?? operation.summary ?? endpoint
  return {
    id: stableId(options.step ? `step:${options.step}` : `endpoint:${endpoint}`),
    name,
    request: requestOf(operation, options.body),
    ...(options.event ? { event: options.event } : {}),
    response: [],
  }
}
