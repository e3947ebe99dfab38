import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntilFinal } from '../../scripts/lib/settle-waiter.ts'
import { type ShopClient, shopClient } from '../../scripts/lib/shop-client.ts'
import { eventually } from '../support/eventually.ts'
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.ts'
import { type RunningShop, startShop } from '../support/shop.ts'

const CONTENT_TYPES = { 'http/json': 'application/json', 'http/protobuf': 'application/x-protobuf' }
/** Where one order's trace goes, in order: every one of these makes a span of its own. */
const HOPS = [
  ['api-gateway', 'SERVER'],
  ['api-gateway', 'CLIENT'],
  ['orders-service', 'SERVER'],
  ['orders-service', 'PRODUCER'],
  ['payments-service', 'CONSUMER'],
  ['payments-service', 'PRODUCER'],
  ['orders-service', 'CONSUMER'],
] as const
/** The messaging conventions' attributes every message span has, on the embedded transport. */
const messaging = (operation: 'send' | 'process', topic: string) => ({
  'messaging.system': 'embedded',
  'messaging.operation.type': operation,
  'messaging.destination.name': topic,
})
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** One trace's spans, with what the assertions ask of them. */
function traceView(spans: ReceivedSpan[]) {
  const byId = new Map(spans.map((span) => [span.spanId, span]))
  const descendsFrom = (span: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
    for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId))
      if (parent.spanId === ancestor.spanId) return true
    return false
  }
  return {
    /** The one span of this service and kind; fails when there are none or several. */
    one(service: string, kind: ReceivedSpan['kind']): ReceivedSpan {
      const found = spans.filter((span) => span.service === service && span.kind === kind)
      expect(
        found.map((span) => span.name),
        `${kind} spans of ${service}`,
      ).toHaveLength(1)
      return found[0] as ReceivedSpan
    },
    /** The SQL statements recorded under `ancestor`. */
    statementsUnder: (ancestor: ReceivedSpan) =>
      spans.filter(
        (span) =>
          span.kind === 'CLIENT' &&
          (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql' &&
          descendsFrom(span, ancestor),
      ),
  }
}

describe.each(['http/json', 'http/protobuf'] as const)('traces exported over OTLP %s', (protocol) => {
  let receiver: OtlpReceiver
  let shop: RunningShop
  let api: ShopClient

  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    shop = await startShop({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      // Sent a tenth of a second after they end, so the test waits on spans, not on batching.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    })
    api = shopClient(shop.gateway)
  })
  afterAll(async () => {
    await shop?.stop()
    await receiver?.close()
  })

  const placeOrder = async (user: string, headers: Record<string, string>) => {
    const response = await fetch(`${shop.gateway}/orders`, {
      method: 'POST',
      headers: { 'x-user-id': user, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ amount: 1 }),
    })
    expect(response.status).toBe(201)
    const { id } = (await response.json()) as { id: string }
    expect((await waitUntilFinal(api, user, id)).body.status).toBe('FINISHED')
    return id
  }

  /** The trace's spans, once every hop has been exported: each process sends its own in batches. */
  const spansOfTrace = (traceId: string) =>
    eventually(
      async () => receiver.spans.filter((span) => span.traceId === traceId),
      (spans) =>
        HOPS.every(([service, kind]) => spans.some((span) => span.service === service && span.kind === kind)),
    )

  it('when an order is placed with a traceparent, then gateway, orders-service, relay, payments-service, relay and orders-service are one tree in that trace', async () => {
    const user = api.newUser()
    await api.openAccount(user, 10)
    const traceId = randomUUID().replaceAll('-', '')
    const callerSpan = '00f067aa0ba902b7'
    const orderId = await placeOrder(user, { traceparent: `00-${traceId}-${callerSpan}-01` })

    const trace = traceView(await spansOfTrace(traceId))
    expect(new Set(receiver.contentTypes)).toEqual(new Set([CONTENT_TYPES[protocol]]))

    // The gateway's server span continues the caller's; its request to orders-service is its child,
    // and orders-service's server span the child of that request.
    const gatewayServer = trace.one('api-gateway', 'SERVER')
    expect(gatewayServer.parentSpanId).toBe(callerSpan)
    expect(gatewayServer).toMatchObject({ name: 'POST /orders', attributes: { 'http.route': '/orders' } })
    const gatewayClient = trace.one('api-gateway', 'CLIENT')
    expect(gatewayClient.parentSpanId).toBe(gatewayServer.spanId)
    const ordersServer = trace.one('orders-service', 'SERVER')
    expect(ordersServer.parentSpanId).toBe(gatewayClient.spanId)
    expect(trace.statementsUnder(ordersServer).length).toBeGreaterThan(0)

    // The relay's send is a child of the request that wrote the event; the consumer's process a
    // child of the send it received, and so on back to orders-service.
    const orderCreatedSend = trace.one('orders-service', 'PRODUCER')
    expect(orderCreatedSend.parentSpanId).toBe(ordersServer.spanId)
    expect(orderCreatedSend.name).toBe('send order_created')
    expect(orderCreatedSend.attributes).toMatchObject(messaging('send', 'order_created'))
    expect(orderCreatedSend.attributes['messaging.message.id']).toMatch(UUID)

    const payment = trace.one('payments-service', 'CONSUMER')
    expect(payment.parentSpanId).toBe(orderCreatedSend.spanId)
    expect(payment.name).toBe('process order_created')
    expect(payment.attributes).toMatchObject({
      ...messaging('process', 'order_created'),
      'messaging.consumer.group.name': 'payments-service',
      'messaging.message.id': orderCreatedSend.attributes['messaging.message.id'],
    })
    expect(trace.statementsUnder(payment).length).toBeGreaterThan(0)

    const paymentFinishedSend = trace.one('payments-service', 'PRODUCER')
    expect(paymentFinishedSend.parentSpanId).toBe(payment.spanId)
    const settlement = trace.one('orders-service', 'CONSUMER')
    expect(settlement.parentSpanId).toBe(paymentFinishedSend.spanId)
    expect(settlement.attributes['messaging.message.id']).toBe(
      paymentFinishedSend.attributes['messaging.message.id'],
    )
    expect(trace.statementsUnder(settlement).length).toBeGreaterThan(0)

    // The logs name the same trace.
    const placed = (shop.logs.get('orders-service') ?? []).find(
      (line) => line.msg === 'order placed' && line.order_id === orderId,
    )
    expect(placed?.trace_id).toBe(traceId)
  })

  it('when a request comes without a traceparent, then the trace the gateway starts is the one its log lines and every service’s spans name', async () => {
    const user = api.newUser()
    await api.openAccount(user, 10)
    const requestId = `untraced-${randomUUID()}`
    const orderId = await placeOrder(user, { 'x-request-id': requestId })

    const completed = (shop.logs.get('api-gateway') ?? []).find(
      (line) => line.reqId === requestId && line.msg === 'request completed',
    )
    const traceId = completed?.trace_id as string
    expect(traceId).toMatch(/^[0-9a-f]{32}$/)

    const spans = await spansOfTrace(traceId)
    const trace = traceView(spans)
    expect(trace.one('api-gateway', 'SERVER').parentSpanId).toBe('')
    expect(new Set(spans.map((span) => span.service))).toEqual(
      new Set(['api-gateway', 'orders-service', 'payments-service']),
    )
    const paid = (shop.logs.get('payments-service') ?? []).find(
      (line) => line.msg === 'order paid' && line.order_id === orderId,
    )
    expect(paid?.trace_id).toBe(traceId)
  })
})
