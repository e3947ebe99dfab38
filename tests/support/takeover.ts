import type { Instance } from './scaled-shop.ts'

/** One message an instance's consumer handled: on which partition, and when it committed. */
export interface Handling {
  instance: Instance
  partition: number
  at: number
  /** The inbox had it already: a redelivery, whose effect was skipped. */
  duplicate: boolean
}

/** What the instance's consumer logged as consumed (`event consumed`, at debug level). */
export function handlingsOf(instance: Instance): Handling[] {
  return instance.logs.flatMap((line) =>
    line.msg === 'event consumed' && typeof line.partition === 'number' && typeof line.time === 'number'
      ? [{ instance, partition: line.partition, at: line.time, duplicate: line.duplicate === true }]
      : [],
  )
}

export interface Takeover {
  /** The partitions the killed instance owned when it died: those it was the last to handle. */
  partitions: number[]
  /** Per partition, from the SIGKILL to the first message a survivor handled on it; undefined if none did. */
  afterMs: Map<number, number | undefined>
  /** From the SIGKILL until the survivors had handled a message on every one of them. */
  ms: number | undefined
}

/**
 * How long the killed instance's partitions waited for the survivors. Under steady load every
 * partition keeps receiving messages, so the first message a survivor handles on one of them
 * follows its takeover at once: its messages queued up while nobody owned it.
 */
export function measureTakeover(dead: Instance, survivors: Instance[]): Takeover {
  const killedAt = dead.killedAt
  if (killedAt === undefined) throw new Error(`${dead.id} was not killed`)
  const handlings = [dead, ...survivors].flatMap(handlingsOf).sort((a, b) => a.at - b.at)
  const lastHandler = new Map<number, Instance>()
  for (const handling of handlings)
    if (handling.at <= killedAt) lastHandler.set(handling.partition, handling.instance)
  const partitions = [...lastHandler]
    .filter(([, owner]) => owner === dead)
    .map(([partition]) => partition)
    .sort((a, b) => a - b)
  const afterMs = new Map(
    partitions.map((partition) => {
      const first = handlings.find(
        (handling) =>
          handling.partition === partition && handling.instance !== dead && handling.at > killedAt,
      )
      return [partition, first && first.at - killedAt] as const
    }),
  )
  const times = [...afterMs.values()]
  const ms = times.length > 0 && times.every((time) => time !== undefined) ? Math.max(...times) : undefined
  return { partitions, afterMs, ms }
}
