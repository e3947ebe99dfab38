import type { FastifyRequest } from 'fastify'

/**
 * A preValidation hook for a route whose body is optional: no body means `{}`. A JSON `null` is a
 * body, and not an object, so it still fails validation rather than pass for an empty one.
 */
export async function noBodyMeansEmptyObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {}
}
