import { ErrorCatalogue } from '@shop/contracts'
import { sendProblem } from '@shop/platform'
import type { FastifyReply } from 'fastify'

/**
 * Answers for an upstream that could not be reached (503 `upstream_unavailable`) or did not answer
 * in time (504 `upstream_timeout`), as problem JSON: the same for forwarded requests and for the
 * live-status socket.
 */
export function sendUpstreamFailure(reply: FastifyReply, timedOut: boolean, timeoutMs: number): FastifyReply {
  return sendProblem(reply, {
    ...(timedOut ? ErrorCatalogue.upstreamTimeout : ErrorCatalogue.upstreamUnavailable),
    detail: timedOut
      ? `The service did not answer within ${timeoutMs} ms`
      : 'The service is not reachable; try again later',
  })
}
