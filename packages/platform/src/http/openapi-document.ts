/** The parts of an OpenAPI document this module reads; the rest passes through untouched. */
interface OpenApiDocument {
  paths?: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>
}
interface ResponseObject {
  headers?: Record<string, { required?: boolean; schema?: Record<string, unknown> }>
}

/**
 * OpenAPI says whether a response header is always sent on the header object, beside its schema;
 * @fastify/swagger copies the route's header schema as it is. The contracts mark a header every
 * such answer carries with `required: true` in that schema: here it moves to where OpenAPI reads it.
 */
export function liftRequiredResponseHeaders<T extends object>(document: T): T {
  for (const operations of Object.values((document as OpenApiDocument).paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const response of Object.values(operation.responses ?? {})) {
        for (const header of Object.values(response.headers ?? {})) {
          if (header.schema?.required !== true) continue
          delete header.schema.required
          header.required = true
        }
      }
    }
  }
  return document
}
