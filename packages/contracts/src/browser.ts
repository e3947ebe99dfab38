/**
 * What the storefront shares with the services, without the HTTP and event schemas: importing
 * only this keeps the page's bundle to the one message it validates.
 */
export { ErrorCatalogue } from './errors.ts'
export type { OrderStatusPush } from './live/order-status-messages.ts'
export { readOrderStatusPush } from './live/order-status-push.ts'
export { MAX_AMOUNT } from './money.ts'
export { canMoveOrder } from './order-state-machine.ts'
export type { OrderStatusName } from './order-status.ts'
export type { RefundStatusName } from './refund-status.ts'
export { isUuid, normaliseUuid } from './uuid.ts'
