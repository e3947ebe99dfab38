import type { TSchema } from 'typebox'
import type { DocumentedResponses } from './responses.ts'

/** An OpenAPI link: how the answer of one operation fills in the parameters of another. */
export interface OperationLink {
  operationId: string
  parameters: Record<string, string>
  description?: string
}

/** A route as the contracts define it: what Fastify registers, and what the OpenAPI document shows. */
export interface RouteDefinition {
  method: 'GET' | 'POST'
  url: string
  schema: {
    operationId: string
    summary: string
    description?: string
    tags: readonly string[]
    headers?: TSchema
    /** OpenAPI security requirements: which scheme of the document authenticates the call. */
    security?: readonly Record<string, readonly string[]>[]
    querystring?: TSchema
    params?: TSchema
    body?: TSchema
    response: DocumentedResponses
  }
  /** Links from an answer (by status) to the operations a client may call next with its values. */
  links?: Record<number, Record<string, OperationLink>>
}

/** A route whose documented answers were completed: any status may be among them. */
export type Documented<R extends RouteDefinition> = R & { schema: { response: DocumentedResponses } }

/** The route with these documented answers in place of its own. */
export const withResponses = <R extends RouteDefinition>(
  route: R,
  response: DocumentedResponses,
): Documented<R> => ({ ...route, schema: { ...route.schema, response } })
