import { buildEventsDocument } from '@shop/contracts'
import type { FastifyPluginAsync } from 'fastify'

export const EVENT_DOCS_URL = '/docs/events'

/**
 * Serves the AsyncAPI document of the events between the services, next to the OpenAPI document
 * at /docs/json. It is documentation, not an operation of the API, so like /docs/json it is left
 * out of the OpenAPI route list; the OpenAPI description points to it. The topics are the default
 * ones: the gateway does not read ORDERS_TOPIC or PAYMENT_RESULTS_TOPIC, and the channels say so.
 */
export const eventDocs: FastifyPluginAsync = async (app) => {
  const body = JSON.stringify(buildEventsDocument())
  app.get(EVENT_DOCS_URL, { schema: { hide: true } }, (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(body),
  )
}
