import type { TSchema } from 'typebox'
import type { Envelope, EventDefinition } from './events/define-event.ts'
import { EventHeaders, EventKey, TRACEPARENT_HEADER } from './events/message-envelope.ts'
import { OrderCancelled } from './events/order-cancelled.ts'
import { OrderCreated } from './events/order-created.ts'
import { PaymentFinished } from './events/payment-finished.ts'
import { RefundFinished } from './events/refund-finished.ts'
import { RefundRequested } from './events/refund-requested.ts'
import { DEFAULT_ORDERS_TOPIC, DEFAULT_PAYMENT_RESULTS_TOPIC } from './topics.ts'

export interface EventsDocumentOptions {
  /** The topic of orders-service's events, as ORDERS_TOPIC names it. */
  ordersTopic?: string
  /** The topic of payments-service's events, as PAYMENT_RESULTS_TOPIC names it. */
  paymentResultsTopic?: string
}

type Service = 'orders-service' | 'payments-service'

/** What the document says about one event; its schema comes from the event's own definition. */
interface DocumentedEvent {
  /** The key of its message in the document. */
  id: string
  definition: EventDefinition<Envelope<string, unknown>>
  /** The key of its topic's channel in the document. */
  channel: 'orders' | 'paymentResults'
  topic: string
  topicSetting: string
  publisher: Service
  consumer: Service
  summary: string
  /** An example as the publisher writes it; checked against the contract when the document is built. */
  example: Envelope<string, unknown>
}

const KAFKA_BINDING_VERSION = '0.5.0'
const EXAMPLE_ORDER_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const EXAMPLE_USER_ID = '0f8fad5b-d9cb-469f-a165-70867728950e'
const EXAMPLE_REFUND_ID = 'a3bb189e-8bf9-3888-9912-ace4e6543002'
const EXAMPLE_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

/** A TypeBox schema as plain JSON Schema: the keywords its validator checks, without TypeBox's own symbols. */
const jsonSchema = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema))

const camelCase = (name: string) => name.replace(/[-_](\w)/g, (_, letter: string) => letter.toUpperCase())

const operationId = (service: Service, verb: 'Sends' | 'Receives', event: DocumentedEvent) =>
  `${camelCase(service)}${verb}${event.id.charAt(0).toUpperCase()}${event.id.slice(1)}`

/** Where the events of one service go, and who reads them: orders-service and payments-service answer each other. */
const topicOf = (channel: DocumentedEvent['channel'], topic: string, topicSetting: string) => {
  const publisher: Service = channel === 'orders' ? 'orders-service' : 'payments-service'
  const consumer: Service = channel === 'orders' ? 'payments-service' : 'orders-service'
  return { channel, topic, topicSetting, publisher, consumer }
}

function documentedEvents(options: EventsDocumentOptions): DocumentedEvent[] {
  const fromOrders = topicOf('orders', options.ordersTopic ?? DEFAULT_ORDERS_TOPIC, 'ORDERS_TOPIC')
  const fromPayments = topicOf(
    'paymentResults',
    options.paymentResultsTopic ?? DEFAULT_PAYMENT_RESULTS_TOPIC,
    'PAYMENT_RESULTS_TOPIC',
  )
  const envelope = (definition: EventDefinition<Envelope<string, unknown>>, eventId: string, at: string) => ({
    event_id: eventId,
    type: definition.type,
    version: definition.version,
    occurred_at: `2026-01-15T10:${at}Z`,
  })
  const order = { order_id: EXAMPLE_ORDER_ID, user_id: EXAMPLE_USER_ID }
  const refund = { refund_id: EXAMPLE_REFUND_ID, ...order, amount_minor: 5000 }
  return [
    {
      id: 'orderCreated',
      definition: OrderCreated,
      ...fromOrders,
      summary: 'An order was accepted (NEW); payments-service charges its owner for it, at most once.',
      example: {
        ...envelope(OrderCreated, '3b241101-e2bb-4255-8caf-4136c566a962', '30:00.000'),
        payload: { ...order, amount_minor: 15000 },
      },
    },
    {
      id: 'orderCancelled',
      definition: OrderCancelled,
      ...fromOrders,
      summary:
        'Its owner cancelled a NEW order (CANCELLED); payments-service keeps no money for it: a charge ' +
        'made before is refunded once, and a later order_created charges nothing.',
      example: {
        ...envelope(OrderCancelled, 'c1a5e3f0-3b5e-4c2a-9d7e-0f1b2c3d4e5f', '30:01.000'),
        payload: { ...order, amount_minor: 15000, reason: 'cancelled_by_customer' },
      },
    },
    {
      id: 'refundRequested',
      definition: RefundRequested,
      ...fromOrders,
      summary:
        'A refund of a FINISHED order was accepted (PENDING); payments-service credits it to the account, ' +
        'exactly once, if the order’s refunds stay within its charge.',
      example: {
        ...envelope(RefundRequested, '9b2f1c1e-7a55-4a8e-b1b8-2c1f6f0e6a11', '40:00.000'),
        payload: refund,
      },
    },
    {
      id: 'paymentFinished',
      definition: PaymentFinished,
      ...fromPayments,
      summary:
        'An order was charged (SUCCESS) or could not be (FAIL, with a reason); orders-service moves it to ' +
        'FINISHED or CANCELLED. A redelivered order_created announces the same outcome again.',
      example: {
        ...envelope(PaymentFinished, '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b', '30:00.120'),
        payload: { ...order, amount_minor: 15000, status: 'FAIL', reason: 'insufficient_funds' },
      },
    },
    {
      id: 'refundFinished',
      definition: RefundFinished,
      ...fromPayments,
      summary:
        'A refund was credited (SUCCEEDED) or could not be (FAILED, with a reason); orders-service records ' +
        'it, and an order whose whole amount came back becomes REFUNDED.',
      example: {
        ...envelope(RefundFinished, '5d0c8a9e-2f4b-4e61-8d3a-7b9c1e2f3a4b', '40:00.150'),
        payload: { ...refund, status: 'SUCCEEDED' },
      },
    },
  ]
}

const DESCRIPTION = `The events orders-service and payments-service exchange. One document describes the whole
system rather than one application: every operation is named after, and tagged with, the service that
performs it, and its \`action\` is from that service's point of view (orders-service sends
\`order_created\`, \`order_cancelled\` and \`refund_requested\` and receives \`payment_finished\` and
\`refund_finished\`; payments-service the reverse). Each service publishes on one topic, so one order's
events, all keyed by its id, reach the other service in the order they happened.

Every message is UTF-8 JSON: an envelope with a unique \`event_id\` (the consumers' inbox key: a
redelivered message is recognised and has no second effect), the event's \`type\` and \`version\` (a
consumer sets aside, as a dead letter, a message whose type or version it does not know, to be
replayed once it does: during a rolling upgrade nothing is lost or half applied), when it
happened, and the payload. The payload schemas are the ones the services validate with, when they
publish and when they consume. Money is integer minor units. The message key is the order id, so one
order's events keep their order; the only header is \`traceparent\`.

Delivery is at least once and in order per key. Events are written to an outbox in the transaction of
the change they describe and published after it commits. The transport is Kafka when
KAFKA_BOOTSTRAP_SERVERS is set; otherwise an embedded log in PostgreSQL carries the same topics, keys,
headers and values.`

/**
 * The AsyncAPI 3.0 document of the events between the services, built from the TypeBox schemas the
 * services validate events with, so the document cannot say something the code does not check.
 */
export function buildEventsDocument(options: EventsDocumentOptions = {}) {
  const events = documentedEvents(options)
  for (const event of events) event.definition.encode(event.example)

  const channels: Record<string, { messages: Record<string, unknown> }> = {}
  const messages: Record<string, unknown> = {}
  const operations: Record<string, unknown> = {}
  for (const event of events) {
    const messageRef = { $ref: `#/channels/${event.channel}/messages/${event.id}` }
    const channel = channels[event.channel] ?? {
      address: event.topic,
      title: event.topic,
      description:
        `Carries the events ${event.publisher} publishes, keyed by order id. The address is the default ` +
        `topic; ${event.topicSetting} names another.`,
      messages: {} as Record<string, unknown>,
    }
    channel.messages[event.id] = { $ref: `#/components/messages/${event.id}` }
    channels[event.channel] = channel
    messages[event.id] = {
      name: event.definition.type,
      title: `${event.definition.type} v${event.definition.version}`,
      summary: event.summary,
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/eventHeaders' },
      payload: jsonSchema(event.definition.schema),
      correlationId: {
        description: 'The order the event is about; the message key carries the same id.',
        location: '$message.payload#/payload/order_id',
      },
      bindings: { kafka: { key: jsonSchema(EventKey), bindingVersion: KAFKA_BINDING_VERSION } },
      examples: [
        {
          name: `${event.definition.type} example`,
          headers: { [TRACEPARENT_HEADER]: EXAMPLE_TRACEPARENT },
          payload: event.example,
        },
      ],
    }
    operations[operationId(event.publisher, 'Sends', event)] = {
      action: 'send',
      channel: { $ref: `#/channels/${event.channel}` },
      messages: [messageRef],
      summary: `${event.publisher} publishes ${event.definition.type} through its outbox relay.`,
      tags: [{ name: event.publisher }],
    }
    operations[operationId(event.consumer, 'Receives', event)] = {
      action: 'receive',
      channel: { $ref: `#/channels/${event.channel}` },
      messages: [messageRef],
      summary:
        `${event.consumer} consumes ${event.definition.type}, recording it in its inbox in the ` +
        'transaction of its effect, and acknowledges it after that transaction committed.',
      tags: [{ name: event.consumer }],
      bindings: {
        kafka: {
          groupId: {
            type: 'string',
            default: event.consumer,
            description: `KAFKA_CONSUMER_GROUP of ${event.consumer}; the service's name by default.`,
          },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    }
  }

  return {
    asyncapi: '3.0.0',
    info: { title: 'Shop events', version: '1.0.0', description: DESCRIPTION },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: '{bootstrapServers}',
        protocol: 'kafka',
        description: 'The Kafka brokers of KAFKA_BOOTSTRAP_SERVERS.',
        variables: {
          bootstrapServers: {
            default: '127.0.0.1:9092',
            description: 'KAFKA_BOOTSTRAP_SERVERS: `host:port[,host:port]`.',
          },
        },
      },
    },
    channels,
    operations,
    components: { messages, schemas: { eventHeaders: jsonSchema(EventHeaders) } },
  }
}

export type EventsDocument = ReturnType<typeof buildEventsDocument>
