import { ErrorCatalogue } from '@shop/contracts'
import { parse as parseContentType } from 'fast-content-type-parse'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import { findAmbiguity } from './json-text.ts'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
/** The names clients give UTF-8, the only encoding JSON between systems may use (RFC 8259, 8.1). */
const UTF_8 = new Set(['utf-8', 'utf8'])

/**
 * How every app reads a request body: JSON only, as UTF-8, exactly as sent. What the app cannot
 * read faithfully is refused before any route sees it: a body in a content coding it does not
 * decode or a charset other than UTF-8 (415), bytes that are not UTF-8, JSON that does not parse,
 * names given twice (400), and numbers whose double is not what was written (422). Fastify's own
 * parser still does the parsing, with its guard against prototype poisoning (`__proto__`, and
 * `constructor.prototype`, are refused).
 */
export function readRequestBodies(app: FastifyInstance): void {
  app.addHook('preParsing', refuseEncodedBody)
  // Fastify reads text/plain as a string, which then fails the route's schema as a 422: it is a
  // media type this API does not take, and says so with the 415 any other one gets.
  app.removeContentTypeParser('text/plain')

  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if (!declaresUtf8(request.headers['content-type'])) {
      done(unsupportedCharset(), undefined)
      return
    }
    let text: string
    try {
      text = strictUtf8.decode(body as Buffer)
    } catch {
      // Bytes that are not UTF-8 would otherwise become U+FFFD and change what the client sent.
      done(malformedJson('Body is not valid UTF-8'), undefined)
      return
    }
    // An empty body sent as JSON is no body: routes whose body is optional accept it, the others
    // say the body is missing.
    if (text === '') {
      done(null, undefined)
      return
    }
    parseJson(request, text, (error, parsed) => {
      if (error) {
        done(error, undefined)
        return
      }
      const ambiguity = findAmbiguity(text)
      if (ambiguity) done(ambiguity, undefined)
      else done(null, parsed)
    })
  })
}

function declaresUtf8(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === 'application/json') return true
  try {
    const { charset } = parseContentType(contentType).parameters
    return charset === undefined || UTF_8.has(charset.toLowerCase())
  } catch {
    // Parameters that cannot be read may hide a charset: the body's encoding is unknown.
    return false
  }
}

/** A preParsing hook: a body in gzip, br or any coding but `identity` would be read as its compressed bytes. */
async function refuseEncodedBody(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const header = request.headers['content-encoding']
  if (header === undefined) return
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  if (codings.length === 0) return
  // RFC 9110 15.5.16: say which codings would have been accepted.
  reply.header('accept-encoding', 'identity')
  throw new AppError(
    ErrorCatalogue.unsupportedContentEncoding,
    `Bodies are read as sent: Content-Encoding ${codings.join(', ')} is not decoded; send the body uncompressed`,
  )
}

const unsupportedCharset = () =>
  new AppError(
    ErrorCatalogue.unsupportedMediaType,
    'JSON bodies must be UTF-8: send Content-Type application/json, with no charset or charset=utf-8',
  )

const malformedJson = (detail: string) => new AppError(ErrorCatalogue.malformedJson, detail)
