import { ErrorCatalogue, type ErrorCode, type ErrorKind } from '@shop/contracts'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { isTransientDatabaseError } from '../db/transient-errors.ts'
import { AppError, type FieldError } from '../errors.ts'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

export interface ProblemBody {
  type: string
  title: string
  status: number
  code: ErrorCode
  detail?: string
  instance?: string
  errors?: FieldError[]
}

export function sendProblem(reply: FastifyReply, problem: Omit<ProblemBody, 'type'>): FastifyReply {
  return reply
    .code(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ type: 'about:blank', ...problem, instance: reply.request.url } satisfies ProblemBody)
}

/** The answer of a WebSocket endpoint to a plain HTTP request: 426 with `Upgrade: websocket`. */
export function sendUpgradeRequired(reply: FastifyReply): FastifyReply {
  return sendProblem(reply.header('upgrade', 'websocket'), {
    ...ErrorCatalogue.upgradeRequired,
    detail: 'This endpoint is a WebSocket: connect with a WebSocket client',
  })
}

/** Fastify's own client errors, by code, mapped to stable problem codes. */
const FRAMEWORK_ERRORS: Record<string, ErrorKind> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCatalogue.malformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: { ...ErrorCatalogue.malformedJson, title: 'Empty JSON body' },
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCatalogue.payloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCatalogue.unsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { ...ErrorCatalogue.badRequest, title: 'Invalid content length' },
  FST_ERR_CTP_INVALID_TYPE: { ...ErrorCatalogue.badRequest, title: 'Invalid content type' },
}

/** The JSON pointer of the offending field, naming a missing or unexpected property too. */
function fieldOf(issue: { instancePath?: string; params?: Record<string, unknown> }): string {
  const property = issue.params?.missingProperty ?? issue.params?.additionalProperty
  const path = issue.instancePath ?? ''
  return property === undefined ? path : `${path}/${String(property)}`
}

const CONTEXT_ERRORS: Record<string, ErrorKind> = {
  headers: ErrorCatalogue.invalidHeader,
  params: ErrorCatalogue.invalidPathParameter,
  querystring: ErrorCatalogue.invalidQuery,
}

/**
 * One place where every error becomes RFC 9457 problem JSON. A well-formed body that breaks the
 * schema is 422; a malformed header, path parameter, query or JSON is 400; anything unexpected is
 * a 500 whose message is logged, never sent. (Requests no route takes: unmatched-requests.ts.)
 */
export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return sendProblem(reply, {
        status: error.status,
        code: error.code,
        title: error.title,
        ...(error.detail ? { detail: error.detail } : {}),
        ...(error.errors ? { errors: error.errors } : {}),
      })
    }
    if (error.validation) {
      const inBody = error.validationContext === 'body'
      return sendProblem(reply, {
        ...(inBody
          ? ErrorCatalogue.validationFailed
          : (CONTEXT_ERRORS[error.validationContext ?? ''] ?? ErrorCatalogue.badRequest)),
        detail: error.message,
        errors: error.validation.map((issue) => ({
          field: fieldOf(issue),
          message: issue.message ?? 'is invalid',
        })),
      })
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined
    if (known && error.statusCode && error.statusCode < 500) {
      return sendProblem(reply, { ...known, status: error.statusCode, detail: error.message })
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, {
        ...ErrorCatalogue.badRequest,
        status: error.statusCode,
        detail: error.message,
      })
    }
    if (isTransientDatabaseError(error)) {
      request.log.warn({ err: error }, 'database unavailable')
      reply.header('retry-after', '1')
      return sendProblem(reply, {
        ...ErrorCatalogue.serviceUnavailable,
        detail: 'The service cannot reach its database right now; retry shortly',
      })
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(reply, ErrorCatalogue.internalError)
  })
}
