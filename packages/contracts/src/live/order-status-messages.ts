import { type Static, Type } from 'typebox'
import { Compile } from 'typebox/compile'
import { Uuid } from '../http/common.ts'
import { OrderStatus } from '../order-status.ts'
import { readJson } from './read-json.ts'

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
 * fields (they are ignored) without breaking pages that are already open. The page checks it with
 * order-status-push-check.generated.ts, TypeBox's compiled check of this schema.
 */
export const OrderStatusPushAsRead = Type.Object({
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

const noticeValidator = Compile(OrderStatusNotice)

/** The notice in a notification's payload, or undefined when the payload is not one. */
export const readOrderStatusNotice = (payload: string): OrderStatusNotice | undefined =>
  readJson(payload, (value) => noticeValidator.Check(value))
