import { type DecodeResult, type EventDefinition, parseJson } from './define-event.ts'

type AnyEvent = { event_id: string; type: string; payload: unknown }
type EventOf<Definition> = Definition extends EventDefinition<infer Event> ? Event : never

/** Reads a message of a topic that carries several events: whichever of them it is, validated. */
export interface EventDecoder<Event> {
  /** The event types this decoder knows. */
  readonly types: readonly string[]
  /** Parses and validates a message as the event its `type` names; never throws. */
  decode(raw: string): DecodeResult<Event>
}

/**
 * The events one topic carries, read by the one consumer of that topic. A message whose type is
 * none of them (say, an event a newer publisher added) is refused like a malformed one, so the
 * consumer keeps it as a dead letter, to be replayed once it knows the type, rather than lose it.
 */
export function topicEvents<const Definitions extends readonly EventDefinition<AnyEvent>[]>(
  ...definitions: Definitions
): EventDecoder<EventOf<Definitions[number]>> {
  const byType = new Map(definitions.map((definition) => [definition.type, definition]))
  return {
    types: definitions.map((definition) => definition.type),
    decode(raw) {
      // Parsed once: the type picks the contract, which then checks the same value.
      const parsed = parseJson(raw)
      if (!parsed.ok) return parsed
      const type = (parsed.value as { type?: unknown } | null)?.type
      const definition = typeof type === 'string' ? byType.get(type) : undefined
      if (!definition) return { ok: false, error: `unknown event type ${JSON.stringify(type)}` }
      return definition.read(parsed.value) as DecodeResult<EventOf<Definitions[number]>>
    },
  }
}
