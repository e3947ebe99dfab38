import { type TSchema, Type } from 'typebox'

export const JSON_MEDIA_TYPE = 'application/json'
export const PROBLEM_MEDIA_TYPE = 'application/problem+json'

/**
 * A response header as a JSON schema with its description; `required: true` marks a header every
 * such response carries. OpenAPI keeps that flag on the header object, not in its schema: the
 * document's builder lifts it there (see the platform's `openapi-document.ts`).
 */
export type ResponseHeader = TSchema & { description: string; required?: true }
export type ResponseHeaders = Record<string, ResponseHeader>

/** One documented answer of a route: what it means, the headers it carries, and its body by media type. */
export interface DocumentedResponse {
  description: string
  /** 'null' for an answer without a body. */
  type?: 'null'
  headers?: ResponseHeaders
  content?: Record<string, { schema: TSchema }>
}

export type DocumentedResponses = Record<number, DocumentedResponse>

export const header = <T extends TSchema>(
  schema: T,
  description: string,
  options: { required?: boolean } = {},
): ResponseHeader => ({ ...schema, description, ...(options.required ? { required: true as const } : {}) })

export const jsonResponse = (schema: TSchema, description: string, headers?: ResponseHeaders) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [JSON_MEDIA_TYPE]: { schema } },
})

/** An RFC 9457 problem; `description` names each `code` a client may meet with this status. */
export const problemResponse = (description: string, headers?: ResponseHeaders): DocumentedResponse => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [PROBLEM_MEDIA_TYPE]: { schema: Type.Ref('Problem') } },
})

/** An answer without a body, such as the 101 of a WebSocket upgrade. */
export const emptyResponse = (description: string): DocumentedResponse => ({ description, type: 'null' })

/**
 * Two documented answers of one status as one: both descriptions (each sentence once), every
 * header of either, required only where both require it, and the media types of both.
 */
function mergeResponse(a: DocumentedResponse, b: DocumentedResponse): DocumentedResponse {
  const description = [...new Set([...sentences(a.description), ...sentences(b.description)])].join(' ')
  const names = new Set([...Object.keys(a.headers ?? {}), ...Object.keys(b.headers ?? {})])
  const headers: ResponseHeaders = {}
  for (const name of names) {
    const [inA, inB] = [a.headers?.[name], b.headers?.[name]]
    const { required: _required, ...schema } = (inA ?? inB) as ResponseHeader
    const required = inA?.required === true && inB?.required === true
    headers[name] = { ...schema, ...(required ? { required: true as const } : {}) } as ResponseHeader
  }
  const content = { ...a.content, ...b.content }
  return {
    description,
    ...(names.size > 0 ? { headers } : {}),
    ...(Object.keys(content).length > 0 ? { content } : { type: 'null' as const }),
  }
}

const sentences = (text: string) => text.split(/(?<=\.)\s+/).filter(Boolean)

/** The documented answers of several sources merged by status (see mergeResponse). */
export function mergeResponses(...sources: DocumentedResponses[]): DocumentedResponses {
  const merged: DocumentedResponses = {}
  for (const source of sources) {
    for (const [status, response] of Object.entries(source)) {
      const code = Number(status)
      const existing = merged[code]
      merged[code] = existing ? mergeResponse(existing, response) : response
    }
  }
  return merged
}

/** Adds these headers, as optional ones, to every answer (where an answer already has one, it stays). */
export function withHeadersOnEvery(responses: DocumentedResponses, headers: ResponseHeaders) {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      { ...response, headers: { ...headers, ...response.headers } },
    ]),
  ) as DocumentedResponses
}
