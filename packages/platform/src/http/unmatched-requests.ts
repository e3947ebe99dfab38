import { ErrorCatalogue } from '@shop/contracts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import { sendProblem } from './problem.ts'

const unused = () => {}

/**
 * Answers the requests no route takes: 405 with an `Allow` header when the path has routes for
 * other methods (RFC 9110 15.5.5), 404 when it has none. Fastify's router only says "no route", so
 * every route is also recorded, by method and path pattern, in a router of the same library and
 * defaults that is consulted only here, off the path of requests that do match. `Allow` lists
 * what the app serves, HEAD included wherever Fastify answers it for a GET; OPTIONS is served
 * nowhere, so it gets this 405 too. Register it after the onRequest hooks that every answer needs.
 */
export function answerUnmatchedRequests(app: FastifyInstance): void {
  const routes = FindMyWay()
  const methods = new Set<HTTPMethod>()
  app.addHook('onRoute', ({ method, url }) => {
    // Fastify routes only methods its router knows; this router's type list lags behind (QUERY).
    for (const one of [method].flat() as HTTPMethod[]) {
      methods.add(one)
      if (!routes.hasRoute(one, url)) routes.on(one, url, unused)
    }
  })

  const answer = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]
    const allowed = [...methods].filter((method) => routes.find(method, request.url) !== null).sort()
    if (allowed.length === 0) {
      return sendProblem(reply, {
        ...ErrorCatalogue.routeNotFound,
        detail: `No route ${request.method} ${path}`,
      })
    }
    return sendProblem(reply.header('allow', allowed.join(', ')), {
      ...ErrorCatalogue.methodNotAllowed,
      detail: `${path} does not take ${request.method}; it takes ${allowed.join(', ')}`,
    })
  }
  // Answered as soon as the request is known to match no route: past onRequest, Fastify reads or
  // refuses the body first, and refuses a QUERY without Content-Type with a 400 (RFC 10008) that
  // would hide the 405.
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return answer(request, reply)
  })
  app.setNotFoundHandler(answer)
}
