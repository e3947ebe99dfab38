import { ErrorCatalogue } from '@shop/contracts'
import { AppError } from '@shop/platform'
import type { FastifyRequest } from 'fastify'

const decodes = (text: string): boolean => {
  try {
    decodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

/**
 * An onRequest hook that answers 400 when the URL is not valid percent-encoding: `?q=100%`,
 * `?a=%zz`, an encoded lone surrogate. The router refuses such a path itself, but not a query
 * string or a fragment, and the proxy decodes the whole URL to look for `..`: without this it
 * fails with a 500.
 */
export async function refuseMalformedUrl(request: FastifyRequest): Promise<void> {
  if (decodes(request.url)) return
  const [path = '', query] = request.url.split('?', 2)
  const inQuery = query !== undefined && decodes(path)
  throw new AppError(
    inQuery ? ErrorCatalogue.invalidQuery : ErrorCatalogue.malformedUrl,
    `The ${inQuery ? 'query string' : 'URL'} is not valid percent-encoding`,
  )
}
