import { randomUUID } from 'node:crypto'
import { type AsyncAPIDocumentInterface, DiagnosticSeverity, Parser } from '@asyncapi/parser'
import {
  DEFAULT_ORDERS_TOPIC,
  DEFAULT_PAYMENT_RESULTS_TOPIC,
  OrderCreated,
  PaymentFinished,
} from '@shop/contracts'
import { continueTrace, TRACEPARENT_HEADER } from '@shop/platform'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { beforeAll, describe, expect, it } from 'vitest'
import { useGatewayOverEcho } from './support/gateway.ts'

const fixture = useGatewayOverEcho()
// The parser marks schemas with its own x-parser-* keywords, which a strict Ajv would refuse.
const ajv = addFormats.default(new Ajv({ strict: false, allErrors: true }))

let served: { status: number; contentType: string | undefined; body: string }
let document: AsyncAPIDocumentInterface

beforeAll(async () => {
  const response = await fixture.gateway.inject({ method: 'GET', url: '/docs/events' })
  served = { status: response.statusCode, contentType: response.headers['content-type'], body: response.body }
  const parsed = await new Parser().parse(served.body)
  const errors = parsed.diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error)
  expect(errors.map((error) => `${error.path.join('/')}: ${error.message}`)).toEqual([])
  document = parsed.document as AsyncAPIDocumentInterface
})

const messageOf = (channelAddress: string) => {
  const channel = document
    .channels()
    .all()
    .find((candidate) => candidate.address() === channelAddress)
  const message = channel?.messages().all()[0]
  if (!message) throw new Error(`no message on channel ${channelAddress}`)
  return message
}

/** The message's payload schema as the document states it, compiled by a validator the code does not use. */
const payloadValidatorOf = (channelAddress: string) =>
  ajv.compile(messageOf(channelAddress).payload()?.json() ?? {})

const order = () => ({ order_id: randomUUID(), user_id: randomUUID(), amount_minor: 15000 })
/** An event exactly as it goes on the wire: encoded by its contract, then read back. */
const onTheWire = (encoded: string) => JSON.parse(encoded) as Record<string, unknown>

describe('the AsyncAPI document of the events', () => {
  it('when GET /docs/events is asked, then an AsyncAPI 3.0.0 document is served as JSON and parses without errors', () => {
    expect(served.status).toBe(200)
    expect(served.contentType).toMatch(/^application\/json/)
    expect(document.version()).toBe('3.0.0')
  })

  it('when the channels are read, then each topic is a channel carrying its one event, with the order id as its Kafka key', () => {
    const channels = document
      .channels()
      .all()
      .map((channel) => [
        channel.address(),
        channel
          .messages()
          .all()
          .map((message) => message.name()),
      ])
    expect(channels.sort()).toEqual(
      [
        [DEFAULT_ORDERS_TOPIC, [OrderCreated.type]],
        [DEFAULT_PAYMENT_RESULTS_TOPIC, [PaymentFinished.type]],
      ].sort(),
    )
    for (const address of [DEFAULT_ORDERS_TOPIC, DEFAULT_PAYMENT_RESULTS_TOPIC]) {
      const message = messageOf(address)
      expect(message.contentType()).toBe('application/json')
      expect(message.bindings().get('kafka')?.value()).toMatchObject({
        key: { type: 'string', format: 'uuid' },
      })
    }
  })

  it('when the operations are read, then orders-service sends order_created and receives payment_finished, and payments-service the reverse', () => {
    const operations = document
      .operations()
      .all()
      .map((operation) => {
        const service = operation.tags().all()[0]?.name()
        const address = operation.channels().all()[0]?.address()
        return `${service} ${operation.action()} ${address}`
      })
    expect(operations.sort()).toEqual(
      [
        `orders-service send ${DEFAULT_ORDERS_TOPIC}`,
        `payments-service receive ${DEFAULT_ORDERS_TOPIC}`,
        `payments-service send ${DEFAULT_PAYMENT_RESULTS_TOPIC}`,
        `orders-service receive ${DEFAULT_PAYMENT_RESULTS_TOPIC}`,
      ].sort(),
    )
  })

  it('when an order_created is produced by its contract, then the documented payload accepts it, and refuses malformed ones', () => {
    const validate = payloadValidatorOf(DEFAULT_ORDERS_TOPIC)
    const event = onTheWire(OrderCreated.encode(OrderCreated.create(order())))

    expect(validate(event), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...event, payload: { ...order(), amount_minor: 1.5 } })).toBe(false)
    expect(validate({ ...event, payload: { ...order(), amount_minor: 0 } })).toBe(false)
    expect(validate({ ...event, version: 2 })).toBe(false)
    expect(validate({ ...event, type: PaymentFinished.type })).toBe(false)
    expect(validate({ ...event, extra: true })).toBe(false)
    const { order_id: _, ...withoutOrderId } = order()
    expect(validate({ ...event, payload: withoutOrderId })).toBe(false)
  })

  it('when a payment_finished is produced by its contract, then the documented payload accepts both outcomes, and refuses malformed ones', () => {
    const validate = payloadValidatorOf(DEFAULT_PAYMENT_RESULTS_TOPIC)
    const success = onTheWire(
      PaymentFinished.encode(PaymentFinished.create({ ...order(), status: 'SUCCESS' })),
    )
    const failure = onTheWire(
      PaymentFinished.encode(
        PaymentFinished.create({ ...order(), status: 'FAIL', reason: 'account_not_found' }),
      ),
    )

    expect(validate(success), JSON.stringify(validate.errors)).toBe(true)
    expect(validate(failure), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...failure, payload: { ...order(), status: 'FAIL' } })).toBe(false)
    expect(validate({ ...failure, payload: { ...order(), status: 'FAIL', reason: 'bored' } })).toBe(false)
    expect(validate({ ...success, payload: { ...order(), status: 'SUCCESS', reason: 'x' } })).toBe(false)
    expect(validate({ ...success, occurred_at: 'yesterday' })).toBe(false)
  })

  it('when the documented headers and key are checked against what the services put on the wire, then they accept them', () => {
    for (const address of [DEFAULT_ORDERS_TOPIC, DEFAULT_PAYMENT_RESULTS_TOPIC]) {
      const message = messageOf(address)
      const headers = ajv.compile(message.headers()?.json() ?? {})
      const key = ajv.compile(message.bindings().get('kafka')?.value().key)

      expect(Object.keys(message.headers()?.properties() ?? {})).toEqual([TRACEPARENT_HEADER])
      expect(headers({ [TRACEPARENT_HEADER]: continueTrace(undefined).traceparent })).toBe(true)
      expect(headers({ [TRACEPARENT_HEADER]: 42 })).toBe(false)
      expect(key(randomUUID())).toBe(true)
      expect(key('not an order id')).toBe(false)
    }
  })

  it('when the OpenAPI document is read, then it points to the event document without listing it as an operation', async () => {
    const openapi = (await fixture.gateway.inject({ method: 'GET', url: '/docs/json' })).json()

    expect(openapi.info.description).toContain('/docs/events')
    expect(Object.keys(openapi.paths)).not.toContain('/docs/events')
  })
})
