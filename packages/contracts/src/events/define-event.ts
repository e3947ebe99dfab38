import { randomUUID } from 'node:crypto'
import { type Static, type TSchema, Type } from 'typebox'
import { Compile } from 'typebox/compile'

/**
 * Every event travels in the same envelope: a unique id (the inbox key), a type and version so a
 * consumer can refuse what it does not understand, when it happened, and the payload.
 */
export function envelopeSchema<Name extends string, Version extends number, Payload extends TSchema>(
  type: Name,
  version: Version,
  payload: Payload,
) {
  return Type.Object(
    {
      event_id: Type.String({ format: 'uuid' }),
      type: Type.Literal(type),
      version: Type.Literal(version),
      occurred_at: Type.String({ format: 'date-time' }),
      payload,
    },
    { additionalProperties: false },
  )
}

export interface Envelope<Name extends string, Payload> {
  event_id: string
  type: Name
  version: number
  occurred_at: string
  payload: Payload
}

export type DecodeResult<Event> = { ok: true; event: Event } | { ok: false; error: string }

export interface EventDefinition<Event extends { event_id: string; payload: unknown }> {
  readonly type: string
  readonly version: number
  /** The JSON Schema of the whole message body, as `encode` and `decode` check it; documents publish it. */
  readonly schema: TSchema
  /** Builds a new event with a fresh id; throws when the payload breaks the contract. */
  create(payload: Event['payload'], occurredAt?: Date): Event
  /** Serialises an event, refusing one that breaks the contract so it never reaches the wire. */
  encode(event: Event): string
  /** Parses and validates a message from the wire; never throws. */
  decode(raw: string): DecodeResult<Event>
  /** Validates a message already parsed from JSON; never throws. */
  read(value: unknown): DecodeResult<Event>
}

const MAX_REPORTED_ERRORS = 5

/** JSON text as a value, or why it is not JSON. */
export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(raw) }
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` }
  }
}

export function defineEvent<Name extends string, Version extends number, Payload extends TSchema>(
  type: Name,
  version: Version,
  payload: Payload,
): EventDefinition<Envelope<Name, Static<Payload>>> {
  type Event = Envelope<Name, Static<Payload>>
  const schema = envelopeSchema(type, version, payload)
  const validator = Compile(schema)

  const describeErrors = (value: unknown): string =>
    validator
      .Errors(value)
      .slice(0, MAX_REPORTED_ERRORS)
      .map((error) => `${error.instancePath || '/'} ${error.message}`)
      .join('; ')

  const encode = (event: Event): string => {
    if (!validator.Check(event)) {
      throw new TypeError(`${type} v${version} breaks its contract: ${describeErrors(event)}`)
    }
    return JSON.stringify(event)
  }

  const read = (value: unknown): DecodeResult<Event> => {
    if (!validator.Check(value)) {
      return { ok: false, error: `not a valid ${type} v${version}: ${describeErrors(value)}` }
    }
    return { ok: true, event: value as unknown as Event }
  }

  return {
    type,
    version,
    schema,
    create(eventPayload, occurredAt = new Date()) {
      const event = {
        event_id: randomUUID(),
        type,
        version,
        occurred_at: occurredAt.toISOString(),
        payload: eventPayload,
      }
      encode(event)
      return event
    },
    encode,
    decode(raw) {
      const parsed = parseJson(raw)
      return parsed.ok ? read(parsed.value) : parsed
    },
    read,
  }
}
