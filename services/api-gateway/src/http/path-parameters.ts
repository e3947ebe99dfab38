import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

/**
 * The forwarded routes' validator compiler. The body, query and headers are the service's to check
 * (the gateway passes them on as they came); a path parameter is checked here, against the same
 * contract, so that one the service would refuse is refused as the service would (400
 * `invalid_path_parameter`, in the same words) rather than forwarded. The proxy could not forward
 * some of them anyway: it refuses a dot segment (`/orders/..`, `/orders/%2e%2e`) in its own words,
 * and a single dot (`/orders/.`) would reach the service as another path (`/orders/`).
 */
export const validatePathParametersOnly: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if (httpPart !== 'params') return () => true
  const validator = Compile(schema)
  // The errors have Ajv's shape, so the problem handler words them as it does for the services.
  return (params) => validator.Check(params) || { error: validator.Errors(params) as never }
}
