/**
 * Series on which each alert of deploy/observability/alerts.yaml must fire, and a healthy shop on
 * which none may. Values are promtool's expanding notation: `a+bxn` is a, a+b, ... n more times,
 * one sample a minute.
 */
export interface Scenario {
  alert: string
  series: { series: string; values: string }[]
  /** When the condition holds but has not lasted its `for` yet: no alert. */
  quietAt: string
  firesAt: string
  /** The alert's labels besides alertname and the rule's own. */
  labels: Record<string, string>
}

const requests = (labels: string, values: string) => ({
  series: `http_request_duration_seconds_count{${labels}}`,
  values,
})
const consumed = (service: string, consumer: string, outcome: string, values: string) => ({
  series: `messages_consumed_total{service="${service}", consumer="${consumer}", outcome="${outcome}"}`,
  values,
})
const started = (service: string) => ({
  series: `process_start_time_seconds{service="${service}", pod="${service}-1"}`,
  values: '1700000000+0x60',
})
const bucket = (service: string, le: string, values: string) => ({
  series: `http_request_duration_seconds_bucket{service="${service}", route="/orders", le="${le}"}`,
  values,
})
const paymentsInbox = (metric: string, values: string) => ({
  series: `${metric}{service="payments-service", table="inbox", pod="a"}`,
  values,
})
const EXPIRED_UNREAD =
  'consumer_messages_expired_total{service="orders-service", group="payments-service", topic="order_created"}'
const ACCEPTED = 'service="orders-service", method="POST", route="/orders", status_code="201"'

export const FIRING: Scenario[] = [
  {
    alert: 'ShopServiceMissing',
    series: [started('api-gateway'), started('orders-service')],
    quietAt: '2m',
    firesAt: '10m',
    labels: { service: 'payments-service' },
  },
  {
    alert: 'ShopServerErrors',
    series: [
      requests('service="api-gateway", route="/orders", status_code="503"', '0+60x30'),
      requests('service="api-gateway", route="/orders", status_code="201"', '0+600x30'),
    ],
    quietAt: '3m',
    firesAt: '15m',
    labels: { service: 'api-gateway' },
  },
  {
    alert: 'ShopSlowRequests',
    series: [
      bucket('orders-service', '0.5', '0+10x40'),
      bucket('orders-service', '2.5', '0+1000x40'),
      bucket('orders-service', '+Inf', '0+1000x40'),
    ],
    quietAt: '5m',
    firesAt: '20m',
    labels: { service: 'orders-service' },
  },
  {
    alert: 'ShopOrdersNotSettling',
    series: [
      requests(ACCEPTED, '0+60x30'),
      consumed('orders-service', 'orders.payment_finished', 'handled', '0+0x30'),
    ],
    quietAt: '3m',
    firesAt: '20m',
    labels: {},
  },
  {
    alert: 'ShopOutboxStalled',
    series: [
      {
        series: 'outbox_oldest_unpublished_age_seconds{service="orders-service", pod="a"}',
        values: '0+60x30',
      },
    ],
    quietAt: '4m',
    firesAt: '10m',
    labels: { service: 'orders-service' },
  },
  {
    alert: 'ShopConsumerLagging',
    series: [
      {
        series:
          'consumer_lag_messages{service="payments-service", group="payments-service", topic="order_created"}',
        values: '0+200x40',
      },
    ],
    quietAt: '10m',
    firesAt: '20m',
    labels: { service: 'payments-service', group: 'payments-service', topic: 'order_created' },
  },
  {
    alert: 'ShopConsumerFailing',
    series: [consumed('payments-service', 'payments.order_created', 'failed', '0+5x30')],
    quietAt: '5m',
    firesAt: '15m',
    labels: { service: 'payments-service', consumer: 'payments.order_created' },
  },
  {
    alert: 'ShopDeadLetters',
    series: [consumed('payments-service', 'payments.order_created', 'dead_lettered', '0 0 0 0 1 1 1 1 1 1')],
    quietAt: '3m',
    firesAt: '6m',
    labels: { service: 'payments-service', consumer: 'payments.order_created' },
  },
  {
    alert: 'ShopRetentionStuck',
    series: [
      // Eight days and 3000 s old, one minute older each minute: over the window by an hour from minute 11.
      paymentsInbox('retention_oldest_row_age_seconds', '694200+60x60'),
      paymentsInbox('retention_window_seconds', '691200x60'),
    ],
    quietAt: '15m',
    firesAt: '30m',
    labels: { service: 'payments-service', table: 'inbox' },
  },
  {
    alert: 'ShopLogMessagesExpiredUnread',
    series: [{ series: EXPIRED_UNREAD, values: '0 0 0 0 3 3 3 3 3 3' }],
    quietAt: '3m',
    firesAt: '6m',
    labels: { service: 'orders-service', group: 'payments-service', topic: 'order_created' },
  },
]

/** Three services up, fast, publishing promptly, consumers keeping up: no alert, ever. */
export const HEALTHY: Scenario['series'] = [
  started('api-gateway'),
  started('orders-service'),
  started('payments-service'),
  requests('service="api-gateway", route="/orders", status_code="201"', '0+600x60'),
  requests(ACCEPTED, '0+600x60'),
  consumed('orders-service', 'orders.payment_finished', 'handled', '0+600x60'),
  consumed('payments-service', 'payments.order_created', 'handled', '0+600x60'),
  bucket('api-gateway', '0.01', '0+600x60'),
  bucket('api-gateway', '+Inf', '0+600x60'),
  { series: 'outbox_oldest_unpublished_age_seconds{service="orders-service", pod="a"}', values: '0x60' },
  {
    series:
      'consumer_lag_messages{service="payments-service", group="payments-service", topic="order_created"}',
    values: '5x60',
  },
  // Trimmed every minute: the oldest inbox row is never much older than the window.
  paymentsInbox('retention_oldest_row_age_seconds', '691260x60'),
  paymentsInbox('retention_window_seconds', '691200x60'),
  { series: EXPIRED_UNREAD, values: '0x60' },
]
