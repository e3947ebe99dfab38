import Fastify, { type FastifyInstance, LogController } from 'fastify'
import type { Logger } from 'pino'
import type { ServiceMetrics } from '../metrics.ts'
import { answerClientError } from './framework-errors.ts'
import { registerProblemHandler } from './problem.ts'
import { answerUnmatchedRequests } from './unmatched-requests.ts'

/**
 * The listener that serves `GET /metrics` (Prometheus text), apart from the API: what a service
 * reports about itself is for the operators' scraper, not for the public port. Any other path is a
 * 404 problem (405 for another method on /metrics). It never listens itself.
 */
export function createMetricsApp(metrics: ServiceMetrics, logger: Logger) {
  const app = Fastify({
    loggerInstance: logger,
    clientErrorHandler: answerClientError,
    // A scrape every few seconds is not worth a log line.
    logController: new LogController({ disableRequestLogging: true }),
  })
  registerProblemHandler(app as unknown as FastifyInstance)
  answerUnmatchedRequests(app as unknown as FastifyInstance)
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  )
  return app
}
