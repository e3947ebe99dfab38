import { describe, expect, it } from 'vitest'
import { AccountRoutes, CSV_MEDIA_TYPE } from '../src/http/accounts.ts'
import { atTheGateway } from '../src/http/gateway-answers.ts'
import { LiveRoutes } from '../src/http/live.ts'
import { ListOrdersQuery, MAX_LIST_LIMIT, OrderRoutes } from '../src/http/orders.ts'
import {
  type DocumentedResponse,
  JSON_MEDIA_TYPE,
  mergeResponses,
  PROBLEM_MEDIA_TYPE,
  problemResponse,
} from '../src/http/responses.ts'
import type { RouteDefinition } from '../src/http/route.ts'

const serviceRoutes: RouteDefinition[] = [...Object.values(AccountRoutes), ...Object.values(OrderRoutes)]
const gatewayRoutes: RouteDefinition[] = [...serviceRoutes.map(atTheGateway), LiveRoutes.orderStatus]
const label = (route: RouteDefinition) => `${route.method} ${route.url}`
const answers = (route: RouteDefinition) =>
  Object.entries(route.schema.response) as [string, DocumentedResponse][]
const statuses = (route: RouteDefinition) => Object.keys(route.schema.response).map(Number)
const takesBody = (route: RouteDefinition) => route.schema.body !== undefined

/** A statement is the one answer also given as CSV, for spreadsheets. */
const successMediaTypes = (route: RouteDefinition) =>
  route.schema.operationId === 'getStatement' ? [JSON_MEDIA_TYPE, CSV_MEDIA_TYPE] : [JSON_MEDIA_TYPE]

describe('the documented answers of every route', () => {
  it.each([...serviceRoutes, ...gatewayRoutes].map((route) => [label(route), route] as const))(
    'when %s answers 4xx or 5xx, then the document says application/problem+json, and application/json (a statement also text/csv) for 2xx',
    (_label, route) => {
      for (const [status, response] of answers(route)) {
        const mediaTypes = Object.keys(response.content ?? {})
        if (status.startsWith('2')) expect(mediaTypes, status).toEqual(successMediaTypes(route))
        else if (status === '101') expect(mediaTypes, status).toEqual([])
        else expect(mediaTypes, status).toEqual([PROBLEM_MEDIA_TYPE])
      }
    },
  )

  it.each(serviceRoutes.map((route) => [label(route), route] as const))(
    'when %s is served by its service, then its document has every answer the HTTP edge can give',
    (_label, route) => {
      const expected = [400, 408, 431, 503]
      if (takesBody(route)) expected.push(409, 413, 415, 422)
      if (route.schema.params) expected.push(414)
      expect(statuses(route)).toEqual(expect.arrayContaining(expected))
      expect(statuses(route)).not.toContain(429)
      expect(statuses(route)).not.toContain(504)
    },
  )

  it.each(gatewayRoutes.map((route) => [label(route), route] as const))(
    'when %s is served by the gateway, then its document adds 429 with Retry-After and X-RateLimit-*, 503 and 504',
    (_label, route) => {
      expect(statuses(route)).toEqual(expect.arrayContaining([400, 408, 429, 431, 503, 504]))
      const tooMany = route.schema.response[429]
      for (const header of [
        'retry-after',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ]) {
        expect(tooMany?.headers?.[header]?.required, header).toBe(true)
      }
      for (const [status, response] of answers(route)) {
        expect(Object.keys(response.headers ?? {}), status).toContain('x-ratelimit-remaining')
      }
    },
  )

  it('when a POST with an Idempotency-Key is replayed, then its success documents Idempotent-Replayed', () => {
    for (const route of serviceRoutes.filter(takesBody)) {
      const success = answers(route).find(([status]) => status.startsWith('2'))?.[1]
      expect(success?.headers?.['idempotent-replayed'], label(route)).toMatchObject({ const: 'true' })
      expect(route.schema.response[409]?.description, label(route)).toContain('idempotency_key_in_use')
    }
  })

  it('when a route takes a body, then the document names every refusal of how it is read', () => {
    for (const route of serviceRoutes.filter(takesBody)) {
      const { response } = route.schema
      expect(response[400]?.description, label(route)).toMatch(/malformed_json.*duplicate_json_key/)
      expect(response[415]?.description, label(route)).toMatch(
        /unsupported_media_type.*unsupported_content_encoding/,
      )
      expect(response[415]?.headers?.['accept-encoding'], label(route)).toMatchObject({ const: 'identity' })
    }
  })

  it('when the gateway adds its 503 to a service’s, then both meanings stay and Retry-After is no longer promised', () => {
    const [service, gateway] = [OrderRoutes.getOrder, atTheGateway(OrderRoutes.getOrder)]

    expect(service.schema.response[503]?.headers?.['retry-after']?.required).toBe(true)
    expect(gateway.schema.response[503]?.description).toMatch(/service_unavailable.*upstream_unavailable/)
    expect(gateway.schema.response[503]?.headers?.['retry-after']?.required).toBeUndefined()
  })
})

describe('merging documented answers', () => {
  it('when two sources document one status, then each sentence is kept once', () => {
    const merged = mergeResponses(
      { 400: problemResponse('`a`: one. `b`: two.') },
      { 400: problemResponse('`b`: two. `c`: three.') },
    )

    expect(merged[400]?.description).toBe('`a`: one. `b`: two. `c`: three.')
  })
})

describe('GET /orders?limit', () => {
  // TypeBox does not type the options of an optional schema; the pattern is there at run time.
  const pattern = new RegExp((ListOrdersQuery.properties.limit as unknown as { pattern: string }).pattern)

  it('when the document describes limit, then its pattern admits exactly 1 to MAX_LIST_LIMIT', () => {
    const admitted = Array.from({ length: 10_000 }, (_, n) => String(n)).filter((text) => pattern.test(text))

    expect(admitted).toEqual(Array.from({ length: MAX_LIST_LIMIT }, (_, n) => String(n + 1)))
    expect(['01', '+5', '1e2', ' 1', '1000 '].filter((text) => pattern.test(text))).toEqual([])
  })
})
