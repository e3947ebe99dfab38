import { randomUUID } from 'node:crypto'
import { type AsyncAPIDocumentInterface, DiagnosticSeverity, Parser } from '@asyncapi/parser'
import {
  DEFAULT_ORDERS_TOPIC,
  DEFAULT_PAYMENT_RESULTS_TOPIC,
  OrderCancelled,
  OrderCreated,
  PaymentFinished,
  RefundFinished,
  RefundRequested,
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

const messageOf = (channelAddress: string, name: string) => {
  const channel = document
    .channels()
    .all()
    .find((candidate) => candidate.address() === channelAddress)
  const message = channel
    ?.messages()
    .all()
    .find((candidate) => candidate.name() === name)
  if (!message) throw new Error(`no message ${name} on channel ${channelAddress}`)
  return message
}

const ON_THE_ORDERS_TOPIC = [OrderCreated.type, OrderCancelled.type, RefundRequested.type]
const ON_THE_RESULTS_TOPIC = [PaymentFinished.type, RefundFinished.type]
const everyMessage = [
  ...ON_THE_ORDERS_TOPIC.map((name) => [DEFAULT_ORDERS_TOPIC, name] as const),
  ...ON_THE_RESULTS_TOPIC.map((name) => [DEFAULT_PAYMENT_RESULTS_TOPIC, name] as const),
]

/** The message's payload schema as the document states it, compiled by a validator the code does not use. */
const payloadValidatorOf = (channelAddress: string, name: string) =>
  ajv.compile(messageOf(channelAddress, name).payload()?.json() ?? {})

const order = () => ({ order_id: randomUUID(), user_id: randomUUID(), amount_minor: 15000 })
/** An event exactly as it goes on the wire: encoded by its contract, then read back. */
const onTheWire = (encoded: string) => JSON.parse(encoded) as Record<string, unknown>

describe('the AsyncAPI document of the events', () => {
  it('when GET /docs/events is asked, then an AsyncAPI 3.0.0 document is served as JSON and parses without errors', () => {
    expect(served.status).toBe(200)
    expect(served.contentType).toMatch(/^application\/json/)
    expect(document.version()).toBe('3.0.0')
  })

  it('when the channels are read, then each topic is a channel carrying its service’s events, with the order id as their Kafka key', () => {
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
        [DEFAULT_ORDERS_TOPIC, ON_THE_ORDERS_TOPIC],
        [DEFAULT_PAYMENT_RESULTS_TOPIC, ON_THE_RESULTS_TOPIC],
      ].sort(),
    )
    for (const [address, name] of everyMessage) {
      const message = messageOf(address, name)
      expect(message.contentType()).toBe('application/json')
      expect(message.bindings().get('kafka')?.value()).toMatchObject({
        key: { type: 'string', format: 'uuid' },
      })
    }
  })

  it('when the operations are read, then orders-service sends the orders topic’s events and receives the results, and payments-service the reverse', () => {
    const operations = document
      .operations()
      .all()
      .map((operation) => {
        const service = operation.tags().all()[0]?.name()
        const address = operation.channels().all()[0]?.address()
        const message = operation.messages().all()[0]?.name()
        return `${service} ${operation.action()} ${address} ${message}`
      })
    expect(operations.sort()).toEqual(
      [
        ...ON_THE_ORDERS_TOPIC.flatMap((name) => [
          `orders-service send ${DEFAULT_ORDERS_TOPIC} ${name}`,
          `payments-service receive ${DEFAULT_ORDERS_TOPIC} ${name}`,
        ]),
        ...ON_THE_RESULTS_TOPIC.flatMap((name) => [
          `payments-service send ${DEFAULT_PAYMENT_RESULTS_TOPIC} ${name}`,
          `orders-service receive ${DEFAULT_PAYMENT_RESULTS_TOPIC} ${name}`,
        ]),
      ].sort(),
    )
  })

  it('when an order_created is produced by its contract, then the documented payload accepts it, and refuses malformed ones', () => {
    const validate = payloadValidatorOf(DEFAULT_ORDERS_TOPIC, OrderCreated.type)
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
    const validate = payloadValidatorOf(DEFAULT_PAYMENT_RESULTS_TOPIC, PaymentFinished.type)
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

  it('when an order_cancelled, refund_requested or refund_finished is produced by its contract, then the documented payload accepts it, and refuses it changed', () => {
    const refund = () => ({ refund_id: randomUUID(), ...order() })
    const produced = [
      [
        DEFAULT_ORDERS_TOPIC,
        OrderCancelled,
        OrderCancelled.create({ ...order(), reason: 'cancelled_by_customer' }),
      ],
      [DEFAULT_ORDERS_TOPIC, RefundRequested, RefundRequested.create(refund())],
      [
        DEFAULT_PAYMENT_RESULTS_TOPIC,
        RefundFinished,
        RefundFinished.create({ ...refund(), status: 'SUCCEEDED' }),
      ],
      [
        DEFAULT_PAYMENT_RESULTS_TOPIC,
        RefundFinished,
        RefundFinished.create({ ...refund(), status: 'FAILED', reason: 'refund_exceeds_payment' }),
      ],
    ] as const
    for (const [address, definition, created] of produced) {
      const validate = payloadValidatorOf(address, definition.type)
      const event = onTheWire(definition.encode(created as never))

      expect(validate(event), JSON.stringify(validate.errors)).toBe(true)
      expect(validate({ ...event, type: OrderCreated.type })).toBe(false)
      expect(validate({ ...event, payload: { ...(event.payload as object), amount_minor: 0 } })).toBe(false)
      expect(validate({ ...event, payload: { ...(event.payload as object), extra: true } })).toBe(false)
    }
  })

  it('when the documented headers and key are checked against what the services put on the wire, then they accept them', () => {
    for (const [address, name] of everyMessage) {
      const message = messageOf(address, name)
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
