export { buildEventsDocument, type EventsDocument, type EventsDocumentOptions } from './asyncapi.ts'
export { ErrorCatalogue, type ErrorCode, type ErrorKind } from './errors.ts'
export {
  type OrdersTopicEvent,
  OrdersTopicEvents,
  type PaymentResultsTopicEvent,
  PaymentResultsTopicEvents,
} from './events/by-topic.ts'
export {
  type DecodeResult,
  defineEvent,
  type Envelope,
  type EventDefinition,
  envelopeSchema,
} from './events/define-event.ts'
export { EventHeaders, EventKey, TRACEPARENT_HEADER } from './events/message-envelope.ts'
export { OrderCancelled, OrderCancelledPayload } from './events/order-cancelled.ts'
export { OrderCreated, OrderCreatedPayload } from './events/order-created.ts'
export { PaymentFailureReason, PaymentFinished, PaymentFinishedPayload } from './events/payment-finished.ts'
export { RefundFinished, RefundFinishedPayload } from './events/refund-finished.ts'
export { RefundRequested, RefundRequestedPayload } from './events/refund-requested.ts'
export { type EventDecoder, topicEvents } from './events/topic-events.ts'
export {
  Account,
  AccountRoutes,
  ChargeBody,
  ChargeResult,
  CSV_MEDIA_TYPE,
  OpenAccountBody,
  STATEMENT_CSV_COLUMNS,
  Statement,
  StatementEntry,
  StatementEntryKind,
  StatementQuery,
  TopUpBody,
} from './http/accounts.ts'
export {
  BEARER_SECURITY_SCHEMES,
  BearerLiveRoutes,
  LiveTicketQuery,
  WebSocketTicket,
  withBearerAuth,
} from './http/bearer-auth.ts'
export {
  Amount,
  IDEMPOTENCY_KEY_LIFETIME_MS,
  IdempotentUserHeaders,
  listLimit,
  NoQuery,
  Problem,
  UserIdHeaders,
  Uuid,
} from './http/common.ts'
export { atTheGateway } from './http/gateway-answers.ts'
export { LIVE_ORDERS_PATH, LiveQuery, LiveRoutes } from './http/live.ts'
export {
  CancelOrderBody,
  DEFAULT_LIST_LIMIT,
  ListOrdersQuery,
  MAX_DESCRIPTION_LENGTH,
  MAX_LIST_LIMIT,
  Order,
  OrderList,
  OrderParams,
  OrderRoutes,
  PlaceOrderBody,
  Refund,
  RefundList,
  RequestRefundBody,
} from './http/orders.ts'
export {
  type DocumentedResponse,
  type DocumentedResponses,
  JSON_MEDIA_TYPE,
  PROBLEM_MEDIA_TYPE,
  type ResponseHeader,
} from './http/responses.ts'
export type { OperationLink, RouteDefinition } from './http/route.ts'
export { OrderStatusNotice, OrderStatusPush, readOrderStatusNotice } from './live/order-status-messages.ts'
export { readOrderStatusPush, toOrderStatusPush } from './live/order-status-push.ts'
export { CENT, MAX_AMOUNT } from './money.ts'
export {
  canMoveOrder,
  isFinalStatus,
  ORDER_TRANSITIONS,
  type SettledOrderStatus,
  sourcesOf,
} from './order-state-machine.ts'
export {
  CANCELLED_BY_CUSTOMER,
  type FinalOrderStatus,
  OrderStatus,
  type OrderStatusName,
} from './order-status.ts'
export {
  RefundFailureReason,
  RefundStatus,
  type RefundStatusName,
} from './refund-status.ts'
export { DEFAULT_ORDERS_TOPIC, DEFAULT_PAYMENT_RESULTS_TOPIC } from './topics.ts'
export { isUuid, normaliseUuid, UUID_PATTERN } from './uuid.ts'
