import type { TSchema } from 'typebox'
import type { Envelope, EventDefinition } from './events/define-event.ts'
import { EventHeaders, EventKey, TRACEPARENT_HEADER } from './events/message-envelope.ts'
import { OrderCreated } from './events/order-created.ts'
import { PaymentFinished } from './events/payment-finished.ts'
import { DEFAULT_ORDERS_TOPIC, DEFAULT_PAYMENT_RESULTS_TOPIC } from './topics.ts'

export interface EventsDocumentOptions {
  /** The topic of `order_created`, as ORDERS_TOPIC names it. */
  ordersTopic?: string
  /** The topic of `payment_finished`, as PAYMENT_RESULTS_TOPIC names it. */
  paymentResultsTopic?: string
}

type Service = 'orders-service' | 'payments-service'

/** What the document says about one event; its schema comes from the event's own definition. */
interface DocumentedEvent {
  /** The key of its channel and message in the document. */
  id: string
  definition: EventDefinition<Envelope<string, unknown>>
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
const EXAMPLE_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

/** A TypeBox schema as plain JSON Schema: the keywords its validator checks, without TypeBox's own symbols. */
const jsonSchema = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema))

const camelCase = (name: string) => name.replace(/[-_](\w)/g, (_, letter: string) => letter.toUpperCase())

const operationId = (service: Service, verb: 'Sends' | 'Receives', event: DocumentedEvent) =>
  `${camelCase(service)}${verb}${event.id.charAt(0).toUpperCase()}${event.id.slice(1)}`

function documentedEvents(options: EventsDocumentOptions): DocumentedEvent[] {
  return [
    {
      id: 'orderCreated',
      definition: OrderCreated,
      topic: options.ordersTopic ?? DEFAULT_ORDERS_TOPIC,
      topicSetting: 'ORDERS_TOPIC',
      publisher: 'orders-service',
      consumer: 'payments-service',
      summary: 'An order was accepted (NEW); payments-service charges its owner for it, at most once.',
      example: {
        event_id: '3b241101-e2bb-4255-8caf-4136c566a962',
        type: OrderCreated.type,
        version: OrderCreated.version,
        occurred_at: '2026-01-15T10:30:00.000Z',
        payload: { order_id: EXAMPLE_ORDER_ID, user_id: EXAMPLE_USER_ID, amount_minor: 15000 },
      },
    },
    {
      id: 'paymentFinished',
      definition: PaymentFinished,
      topic: options.paymentResultsTopic ?? DEFAULT_PAYMENT_RESULTS_TOPIC,
      topicSetting: 'PAYMENT_RESULTS_TOPIC',
      publisher: 'payments-service',
      consumer: 'orders-service',
      summary:
        'An order was charged (SUCCESS) or could not be (FAIL, with a reason); orders-service moves it to ' +
        'FINISHED or CANCELLED. A redelivered order_created announces the same outcome again.',
      example: {
        event_id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b',
        type: PaymentFinished.type,
        version: PaymentFinished.version,
        occurred_at: '2026-01-15T10:30:00.120Z',
        payload: {
          order_id: EXAMPLE_ORDER_ID,
          user_id: EXAMPLE_USER_ID,
          amount_minor: 15000,
          status: 'FAIL',
          reason: 'insufficient_funds',
        },
      },
    },
  ]
}

const DESCRIPTION = `The events orders-service and payments-service exchange. One document describes the whole
system rather than one application: every operation is named after, and tagged with, the service that
performs it, and its \`action\` is from that service's point of view (orders-service sends
\`order_created\` and receives \`payment_finished\`; payments-service the reverse).

Every message is UTF-8 JSON: an envelope with a unique \`event_id\` (the consumers' inbox key: a
redelivered message is recognised and has no second effect), the event's \`type\` and \`version\` (a
consumer sets aside, as a dead letter, a message whose type or version it does not know), when it
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

  const channels: Record<string, unknown> = {}
  const messages: Record<string, unknown> = {}
  const operations: Record<string, unknown> = {}
  for (const event of events) {
    const messageRef = { $ref: `#/channels/${event.id}/messages/${event.id}` }
    channels[event.id] = {
      address: event.topic,
      title: event.definition.type,
      description:
        `Carries \`${event.definition.type}\` events. The address is the default topic; ` +
        `${event.topicSetting} names another.`,
      messages: { [event.id]: { $ref: `#/components/messages/${event.id}` } },
    }
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
      channel: { $ref: `#/channels/${event.id}` },
      messages: [messageRef],
      summary: `${event.publisher} publishes ${event.definition.type} through its outbox relay.`,
      tags: [{ name: event.publisher }],
    }
    operations[operationId(event.consumer, 'Receives', event)] = {
      action: 'receive',
      channel: { $ref: `#/channels/${event.id}` },
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
