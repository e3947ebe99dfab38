/**
 * The parts of an OpenAPI 3.1 document a collection is made from: requests only (methods, paths,
 * parameters, bodies and their examples). Responses are left out on purpose, so rewording what a
 * route answers does not change the collection.
 */
export interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  examples?: unknown[]
  example?: unknown
  default?: unknown
  description?: string
}

export interface OpenApiParameter {
  in: 'header' | 'path' | 'query' | 'cookie'
  name: string
  required?: boolean
  description?: string
  example?: unknown
  schema?: JsonSchema
}

export interface OpenApiOperation {
  summary?: string
  description?: string
  tags?: string[]
  parameters?: OpenApiParameter[]
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
}

export interface OpenApiDocument {
  info: { title: string; description?: string; version: string }
  paths: Record<string, Record<string, OpenApiOperation>>
}

export interface Operation extends OpenApiOperation {
  /** Upper case, as HTTP and Postman write it. */
  method: string
  /** As OpenAPI writes it, with `{name}` parameters. */
  path: string
}

/** Every operation of the document, in the document's order. */
export const operationsOf = (document: OpenApiDocument): Operation[] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ ...operation, method: method.toUpperCase(), path })),
  )

/** A Fastify route URL (`/orders/:order_id`) as OpenAPI writes it (`/orders/{order_id}`). */
export const openApiPath = (routeUrl: string) => routeUrl.replace(/:(\w+)/g, '{$1}')

/**
 * An example value of a schema: its own example, else an object of its properties' examples.
 * Optional properties without one are left out; a required one without one is an error, so a
 * new field cannot reach the collection without an example.
 */
export function exampleOf(schema: JsonSchema, where: string): unknown {
  if (schema.examples?.length) return schema.examples[0]
  if (schema.example !== undefined) return schema.example
  if (schema.default !== undefined) return schema.default
  if (!schema.properties) throw new Error(`${where} has no example: add \`examples\` to its schema`)
  const required = new Set(schema.required ?? [])
  const example: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(schema.properties)) {
    const hasOwnExample = property.examples?.length || property.example !== undefined || property.properties
    if (required.has(name) || hasOwnExample) example[name] = exampleOf(property, `${where}.${name}`)
  }
  return example
}
