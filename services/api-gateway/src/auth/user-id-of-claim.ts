import { isUuid, normaliseUuid } from '@shop/contracts'
import { v5 as uuidV5 } from 'uuid'

/**
 * The shop's user id for a token's user claim. A UUID is taken as it is (lower-cased); anything
 * else (Keycloak's ids are UUIDs, Google's and Auth0's are not) becomes the name-based UUID v5, in
 * the URL namespace, of `<issuer>#<value>`: the same user always gets the same id, and one value
 * at two issuers two different ids. Undefined when the claim is absent or not a non-empty string.
 */
export function userIdOfClaim(issuer: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  if (isUuid(value)) return normaliseUuid(value)
  return uuidV5(`${issuer}#${encodeURIComponent(value)}`, uuidV5.URL)
}
