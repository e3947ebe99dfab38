/** Hyphenated hex UUID, any version; stricter than JSON Schema's uuid format, which allows a `urn:uuid:` prefix. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

const UUID = new RegExp(UUID_PATTERN)

export const isUuid = (text: string): boolean => UUID.test(text)

/**
 * The canonical form of a UUID: lower case, as PostgreSQL's uuid type prints it. Ids are compared,
 * keyed and hashed in this form, so `7C9E…` and `7c9e…` are one order or user everywhere.
 */
export const normaliseUuid = (uuid: string): string => uuid.toLowerCase()
