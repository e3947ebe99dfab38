import { describe, expect, it } from 'vitest'
import { buildEventsDocument } from '../src/asyncapi.ts'
import { OrderCancelled } from '../src/events/order-cancelled.ts'
import { OrderCreated } from '../src/events/order-created.ts'
import { PaymentFinished } from '../src/events/payment-finished.ts'
import { RefundFinished } from '../src/events/refund-finished.ts'
import { RefundRequested } from '../src/events/refund-requested.ts'

describe('the events document', () => {
  it('when topics are named, then the channels have those addresses', () => {
    const document = buildEventsDocument({ ordersTopic: 'shop.orders', paymentResultsTopic: 'shop.payments' })

    expect(document.channels).toMatchObject({
      orders: { address: 'shop.orders' },
      paymentResults: { address: 'shop.payments' },
    })
  })

  it('when the examples are decoded by the contracts, then they are valid events of their type', () => {
    const { orderCreated, orderCancelled, refundRequested, paymentFinished, refundFinished } =
      buildEventsDocument().components.messages as Record<string, { examples: { payload: unknown }[] }>

    for (const [definition, message] of [
      [OrderCreated, orderCreated],
      [OrderCancelled, orderCancelled],
      [RefundRequested, refundRequested],
      [PaymentFinished, paymentFinished],
      [RefundFinished, refundFinished],
    ] as const) {
      const example = message?.examples[0]?.payload
      expect(definition.decode(JSON.stringify(example))).toEqual({ ok: true, event: example })
    }
  })
})
