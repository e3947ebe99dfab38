import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

export type ConsumeOutcome = 'handled' | 'duplicate' | 'dead_lettered' | 'failed'

/**
 * The Prometheus metrics of one service, on a registry of its own (so tests can build many apps
 * in one process). What operators watch: request latency by route and status, how far behind the
 * outbox and the consumers are, and what happened to each consumed message.
 */
export class ServiceMetrics {
  readonly registry = new Registry()
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>
  readonly consumed: Counter<'consumer' | 'outcome'>
  readonly published: Counter<'topic'>
  readonly trimmed: Counter<'table'>
  readonly expiredUnread: Counter<'group' | 'topic'>

  constructor(service: string, options: { processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service })
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry })
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests by method, route and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    })
    this.consumed = this.counter(
      'messages_consumed_total',
      'Messages taken from the transport by consumer and outcome: handled, duplicate (skipped by the inbox), dead_lettered or failed (to be delivered again).',
      ['consumer', 'outcome'],
    )
    this.published = this.counter(
      'outbox_published_total',
      'Outbox messages the transport accepted, by topic.',
      ['topic'],
    )
    this.trimmed = this.counter(
      'retention_rows_trimmed_total',
      'Rows deleted by retention because they outlived their window, by table.',
      ['table'],
    )
    this.expiredUnread = this.counter(
      'consumer_messages_expired_total',
      'Embedded log messages deleted by LOG_RETENTION before a consumer group read them; the group resumed at the oldest message left.',
      ['group', 'topic'],
    )
  }

  /** A counter on this service's registry. */
  private counter<Label extends string>(name: string, help: string, labelNames: Label[]): Counter<Label> {
    return new Counter({ name, help, labelNames, registers: [this.registry] })
  }

  /** A gauge whose value is read when Prometheus scrapes, such as the outbox backlog. */
  gauge<Label extends string>(
    name: string,
    help: string,
    labelNames: Label[],
    collect: (gauge: Gauge<Label>) => Promise<void>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this).catch(() => {})
      },
    })
  }
}
