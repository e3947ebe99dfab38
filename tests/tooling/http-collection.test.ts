import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Collection } from '../../scripts/lib/http-collection/collection.ts'
import { gatewayOpenApi } from '../../scripts/lib/http-collection/gateway-openapi.ts'
import { type OpenApiDocument, operationsOf } from '../../scripts/lib/http-collection/openapi.ts'
import type {
  PostmanEvent,
  PostmanFolder,
  PostmanRequestItem,
} from '../../scripts/lib/http-collection/postman.ts'
import { POSTMAN_SCHEMA } from '../../scripts/lib/http-collection/postman.ts'
import { COLLECTION_FILE, renderCollection } from '../../scripts/lib/http-collection/render.ts'
import { SEED_FLOW_FOLDER } from '../../scripts/lib/http-collection/seed-flow.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ajv = new Ajv({ strict: false })

let openapi: OpenApiDocument
let committed: Collection

beforeAll(async () => {
  openapi = await gatewayOpenApi()
  committed = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8'))
})

const folders = () => committed.item as PostmanFolder[]
const requests = (): PostmanRequestItem[] => folders().flatMap((folder) => folder.item)
const endpointRequests = () =>
  folders()
    .filter((folder) => folder.name !== SEED_FLOW_FOLDER)
    .flatMap((f) => f.item)
const openApiPathOf = (item: PostmanRequestItem) =>
  `/${item.request.url.path.map((segment) => segment.replace(/^:(\w+)$/, '{$1}')).join('/')}`
const scriptsOf = (events: PostmanEvent[] | undefined) =>
  (events ?? []).map((event) => event.script.exec.join('\n'))

describe('the committed Postman collection', () => {
  it('when it is generated again from the gateway, then it is the committed file byte for byte', async () => {
    const fresh = await renderCollection()
    expect(
      readFileSync(COLLECTION_FILE, 'utf8') === fresh,
      'docs/shop.postman_collection.json is out of date: regenerate it with `npm run collection`',
    ).toBe(true)
  })

  it('when its structure is read, then it is a v2.1 collection whose folders, requests and ids are well formed', () => {
    expect(committed.info).toMatchObject({ name: expect.any(String), schema: POSTMAN_SCHEMA })
    expect(committed.info._postman_id).toMatch(UUID)
    const ids = [...folders(), ...requests()].map((item) => item.id)
    expect(ids.every((id) => UUID.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)

    for (const { name, request } of requests()) {
      expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], name).toContain(request.method)
      expect(request.url.host, name).toEqual(['{{baseUrl}}'])
      expect(request.url.raw.split('?')[0], name).toBe(`{{baseUrl}}/${request.url.path.join('/')}`)
      const pathVariables = request.url.path.filter((segment) => segment.startsWith(':'))
      expect(
        (request.url.variable ?? []).map((variable) => `:${variable.key}`),
        name,
      ).toEqual(pathVariables)
      expect(request.header.find((header) => header.key === 'X-User-Id')?.value, name).toBe('{{userId}}')
      if (request.body) {
        expect(() => JSON.parse(request.body?.raw ?? ''), name).not.toThrow()
        expect(request.header, name).toContainEqual({ key: 'Content-Type', value: 'application/json' })
      }
    }
  })

  it('when the gateway documents its endpoints, then each HTTP one has exactly one request, and the WebSocket none', () => {
    const documented = operationsOf(openapi)
      .map((operation) => `${operation.method} ${operation.path}`)
      .filter((operation) => operation !== 'GET /ws')
    const generated = endpointRequests().map((item) => `${item.request.method} ${openApiPathOf(item)}`)

    expect(generated.sort()).toEqual(documented.sort())
  })

  it('when a request carries a body, then the body is valid for the endpoint’s schema', () => {
    const operations = operationsOf(openapi)
    for (const item of requests().filter((candidate) => candidate.request.body)) {
      const operation = operations.find(
        (candidate) => candidate.method === item.request.method && candidate.path === openApiPathOf(item),
      )
      const schema = operation?.requestBody?.content?.['application/json']?.schema
      const validate = ajv.compile(schema ?? false)
      expect(
        validate(JSON.parse(item.request.body?.raw ?? '')),
        `${item.name}: ${ajv.errorsText(validate.errors)}`,
      ).toBe(true)
    }
  })

  it('when the variables are read, then every {{variable}} a request uses is declared, with the gateway’s default address', () => {
    const declared = committed.variable.map((variable) => variable.key)
    const used = new Set(
      [...JSON.stringify(committed.item).matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]),
    )

    expect(declared.sort()).toEqual([...used].sort())
    expect(committed.variable.find((variable) => variable.key === 'baseUrl')?.value).toBe(
      'http://127.0.0.1:8000',
    )
  })

  it('when its scripts are compiled, then every one is valid JavaScript', () => {
    const scripts = [
      ...scriptsOf(committed.event),
      ...folders().flatMap((folder) => folder.item.flatMap((item) => scriptsOf(item.event))),
    ]
    expect(scripts.length).toBeGreaterThan(0)
    for (const source of scripts) expect(() => new Function('pm', source), source).not.toThrow()
  })

  it('when the seed flow is read, then it opens an account for a fresh user, tops up, orders, polls the order by its saved id and reads the balance', () => {
    const flow = folders().find((folder) => folder.name === SEED_FLOW_FOLDER)
    expect(folders()[0]).toBe(flow)
    const steps = flow?.item ?? []
    expect(steps.map((item) => `${item.request.method} ${openApiPathOf(item)}`)).toEqual([
      'POST /accounts',
      'POST /accounts/topup',
      'POST /orders',
      'GET /orders/{order_id}',
      'GET /accounts/balance',
    ])
    const [open, , order, poll] = steps
    expect(scriptsOf(open?.event).join('\n')).toMatch(/collectionVariables\.set\('userId', .*\{\{\$guid\}\}/)
    expect(scriptsOf(order?.event).join('\n')).toContain(
      "pm.collectionVariables.set('orderId', pm.response.json().id)",
    )
    expect(poll?.request.url.variable).toEqual([{ key: 'order_id', value: '{{orderId}}' }])
    expect(scriptsOf(poll?.event).join('\n')).toContain('pm.execution.setNextRequest(pm.info.requestId)')
  })
})
