import { type Static, type TSchema, Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { Uuid } from '../http/common.ts'
import { OrderStatus } from '../order-status.ts'

const messageType = Type.Literal('order_status')
const reason = Type.String({ description: 'Why a CANCELLED order was cancelled.' })

/** A text message of the live socket: one of the caller's orders now has this status. */
export const OrderStatusPush = Type.Object(
  {
    type: messageType,
    order_id: Uuid,
    status: OrderStatus,
    reason: Type.Optional(reason),
  },
  { additionalProperties: false },
)
export type OrderStatusPush = Static<typeof OrderStatusPush>

/**
 * The push as a page reads it: a tolerant reader, so a later version of the message may add
 * fields (they are ignored) without breaking pages that are already open.
 */
const OrderStatusPushAsRead = Type.Object({
  type: messageType,
  order_id: Type.String(),
  status: OrderStatus,
  reason: Type.Optional(reason),
})

/**
 * What settling an order announces to every orders-service instance (PostgreSQL NOTIFY, JSON
 * built by the database): the push plus the owner it is for, and a null reason when not cancelled.
 */
export const OrderStatusNotice = Type.Object({
  order_id: Type.String(),
  user_id: Type.String(),
  status: OrderStatus,
  reason: Type.Union([reason, Type.Null()]),
})
export type OrderStatusNotice = Static<typeof OrderStatusNotice>

/** Parses JSON text and checks it against a compiled schema; undefined for anything else. */
function reader<Schema extends TSchema>(schema: Schema): (text: unknown) => Static<Schema> | undefined {
  const validator = Compile(schema)
  return (text) => {
    if (typeof text !== 'string') return undefined
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    return validator.Check(value) ? (value as Static<Schema>) : undefined
  }
}

const readNotice = reader(OrderStatusNotice)
const readPush = reader(OrderStatusPushAsRead)

/** The notice in a notification's payload, or undefined when the payload is not one. */
export const readOrderStatusNotice = (payload: string): OrderStatusNotice | undefined => readNotice(payload)

/** The push as the order's owner receives it: `reason` only when there is one, as in GET /orders/{id}. */
export const toOrderStatusPush = (notice: {
  order_id: string
  status: OrderStatusPush['status']
  reason?: string | null | undefined
}): OrderStatusPush => ({
  type: 'order_status',
  order_id: notice.order_id,
  status: notice.status,
  ...(notice.reason ? { reason: notice.reason } : {}),
})

/** The status push in a socket message, with only the fields this version knows; undefined for anything else. */
export function readOrderStatusPush(data: unknown): OrderStatusPush | undefined {
  const push = readPush(data)
  return push && toOrderStatusPush(push)
}
