/**
 * Every problem the API answers with: a stable machine code that clients may branch on, its HTTP
 * status and its title, as RFC 9457 problem JSON carries them. A place that answers with a problem
 * names its entry here; where one code is answered in several situations the title may say which
 * (`Missing user_id` for the query of a WebSocket, `Empty JSON body`), never the code or status.
 */
const kind = <Code extends string>(code: Code, status: number, title: string) =>
  ({ code, status, title }) as const

export const ErrorCatalogue = {
  // The request itself
  badRequest: kind('bad_request', 400, 'Bad request'),
  malformedUrl: kind('malformed_url', 400, 'Bad request'),
  pathParameterTooLong: kind('path_parameter_too_long', 414, 'URI too long'),
  headersTooLarge: kind('headers_too_large', 431, 'Request headers too large'),
  requestTimeout: kind('request_timeout', 408, 'Request timeout'),
  routeNotFound: kind('route_not_found', 404, 'Not found'),
  methodNotAllowed: kind('method_not_allowed', 405, 'Method not allowed'),
  invalidHeader: kind('invalid_header', 400, 'Bad request'),
  invalidPathParameter: kind('invalid_path_parameter', 400, 'Bad request'),
  invalidQuery: kind('invalid_query', 400, 'Bad request'),
  missingUserId: kind('missing_user_id', 400, 'Missing X-User-Id'),
  invalidUserId: kind('invalid_user_id', 400, 'Invalid X-User-Id'),
  rateLimited: kind('rate_limited', 429, 'Too many requests'),
  // Who is calling (AUTH_MODE=oidc at the gateway; INTERNAL_AUTH_TOKEN at the services)
  missingBearerToken: kind('missing_bearer_token', 401, 'Authentication required'),
  invalidToken: kind('invalid_token', 401, 'Invalid token'),
  identityProviderUnavailable: kind('identity_provider_unavailable', 503, 'Identity provider unavailable'),
  invalidWebSocketTicket: kind('invalid_websocket_ticket', 401, 'Invalid WebSocket ticket'),
  internalAuthRequired: kind('internal_auth_required', 401, 'Internal authentication required'),
  // The body
  malformedJson: kind('malformed_json', 400, 'Malformed JSON body'),
  duplicateJsonKey: kind('duplicate_json_key', 400, 'Duplicate JSON key'),
  payloadTooLarge: kind('payload_too_large', 413, 'Request body too large'),
  unsupportedMediaType: kind('unsupported_media_type', 415, 'Unsupported media type'),
  unsupportedContentEncoding: kind('unsupported_content_encoding', 415, 'Unsupported content encoding'),
  validationFailed: kind('validation_failed', 422, 'Validation failed'),
  // Idempotency-Key
  idempotencyKeyInUse: kind('idempotency_key_in_use', 409, 'Request in progress'),
  idempotencyKeyReused: kind('idempotency_key_reused', 422, 'Idempotency-Key reused'),
  // The live socket
  upgradeRequired: kind('upgrade_required', 426, 'Upgrade required'),
  unsupportedWebSocketVersion: kind('unsupported_websocket_version', 426, 'Upgrade required'),
  invalidUpgrade: kind('invalid_upgrade', 400, 'Invalid WebSocket handshake'),
  invalidWebSocketKey: kind('invalid_websocket_key', 400, 'Invalid WebSocket handshake'),
  invalidWebSocketProtocol: kind('invalid_websocket_protocol', 400, 'Invalid WebSocket handshake'),
  invalidWebSocketHandshake: kind('invalid_websocket_handshake', 400, 'Invalid WebSocket handshake'),
  liveStatusUnavailable: kind('live_status_unavailable', 503, 'Live status unavailable'),
  // Accounts and orders
  accountExists: kind('account_exists', 409, 'Account exists'),
  accountNotFound: kind('account_not_found', 404, 'Account not found'),
  balanceLimitExceeded: kind('balance_limit_exceeded', 422, 'Balance limit exceeded'),
  insufficientFunds: kind('insufficient_funds', 402, 'Insufficient funds'),
  orderAlreadyCharged: kind('order_already_charged', 409, 'Order already charged'),
  orderNotFound: kind('order_not_found', 404, 'Order not found'),
  orderNotCancellable: kind('order_not_cancellable', 409, 'Order not cancellable'),
  orderNotRefundable: kind('order_not_refundable', 409, 'Order not refundable'),
  refundExceedsOrder: kind('refund_exceeds_order', 422, 'Refund exceeds order'),
  // The server and what it depends on
  serviceUnavailable: kind('service_unavailable', 503, 'Service unavailable'),
  upstreamUnavailable: kind('upstream_unavailable', 503, 'Service unavailable'),
  upstreamTimeout: kind('upstream_timeout', 504, 'Upstream timeout'),
  internalError: kind('internal_error', 500, 'Internal server error'),
}

export type ErrorCode = (typeof ErrorCatalogue)[keyof typeof ErrorCatalogue]['code']

/** One kind of problem: an entry of the catalogue, possibly with a title that says more. */
export interface ErrorKind {
  readonly code: ErrorCode
  readonly status: number
  readonly title: string
}
