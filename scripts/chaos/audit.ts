/**
 * Reads both topics from the beginning, as a consumer group of its own, through the same
 * transport port the services use (so it works on Kafka and on the embedded log alike), and
 * counts each event id: how many copies of each event the transport holds, and which events that
 * the outboxes hold never reached it. Messages retention already deleted from the embedded log
 * are passed in from the trim archive and counted too; nothing may trim while the audit reads.
 */
import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { createTransport } from '../../packages/platform/src/transport/create-transport.ts'
import type { Subscription } from '../../packages/platform/src/transport/port.ts'
import { sleep } from './util.ts'

export interface TopicAudit {
  topic: string
  /** Messages in the topic. */
  messages: number
  /** Distinct event ids among them. */
  events: number
  /** Messages beyond the first of their event id: published more than once. */
  extraCopies: number
  /** Event ids of outbox rows that are not in the topic. */
  missing: string[]
  /** Whether the whole topic was read before the time limit. */
  complete: boolean
}

export interface AuditTarget {
  topic: string
  /** The event ids of the outbox rows meant for this topic. */
  expected: Set<string>
  /** Values of the topic's messages that retention deleted from the log, counted as read. */
  trimmed?: string[]
}

export interface TransportAccess {
  KAFKA_BOOTSTRAP_SERVERS?: string
  BROKER_DATABASE_URL?: string
}

const STABLE_FOR_MS = 1_500

export async function auditTransportLog(
  access: TransportAccess,
  targets: AuditTarget[],
  timeoutMs: number,
): Promise<TopicAudit[]> {
  const transport = await createTransport(
    {
      DATABASE_URL: access.BROKER_DATABASE_URL ?? 'postgresql://unused',
      BROKER_DATABASE_URL: access.BROKER_DATABASE_URL,
      KAFKA_BOOTSTRAP_SERVERS: access.KAFKA_BOOTSTRAP_SERVERS,
      TOPIC_PARTITIONS: 3,
    },
    'chaos-audit',
    pino({ level: 'silent' }),
  )
  // A group per topic: members of one Kafka group that subscribe to different topics would keep
  // rebalancing each other.
  const run = randomUUID().slice(0, 8)
  const counts = targets.map(() => new Map<string, number>())
  for (const [index, target] of targets.entries()) {
    const seen = counts[index] as Map<string, number>
    for (const value of target.trimmed ?? [])
      seen.set(eventIdOf(value), (seen.get(eventIdOf(value)) ?? 0) + 1)
  }
  const subscriptions: Subscription[] = []
  let total = 0
  try {
    for (const [index, target] of targets.entries()) {
      const seen = counts[index] as Map<string, number>
      subscriptions.push(
        await transport.subscribe({
          topic: target.topic,
          group: `chaos-audit-${run}-${index}`,
          handleBatch: async (messages) => {
            for (const message of messages) {
              const id = eventIdOf(message.value)
              seen.set(id, (seen.get(id) ?? 0) + 1)
              total += 1
            }
          },
        }),
      )
    }
    const allSeen = () =>
      targets.every((target, index) => [...target.expected].every((id) => counts[index]?.has(id)))
    const caughtUp = async () => (await transport.consumerLag()).every((entry) => entry.lag === 0)
    const deadline = Date.now() + timeoutMs
    let complete = false
    while (Date.now() < deadline) {
      const before = total
      if (allSeen() && (await caughtUp().catch(() => false))) {
        await sleep(STABLE_FOR_MS)
        if (total === before && (await caughtUp().catch(() => false))) {
          complete = true
          break
        }
      } else {
        await sleep(250)
      }
    }
    return targets.map((target, index) => {
      const seen = counts[index] as Map<string, number>
      const messages = [...seen.values()].reduce((sum, n) => sum + n, 0)
      return {
        topic: target.topic,
        messages,
        events: seen.size,
        extraCopies: messages - seen.size,
        missing: [...target.expected].filter((id) => !seen.has(id)),
        complete,
      }
    })
  } finally {
    await Promise.allSettled(subscriptions.map((subscription) => subscription.close()))
    await transport.close().catch(() => {})
  }
}

export function eventIdOf(value: string): string {
  try {
    return String((JSON.parse(value) as { event_id?: unknown }).event_id)
  } catch {
    return `unparseable:${value.slice(0, 40)}`
  }
}

/** The event type a message says it is, or `unparseable`. */
export function eventTypeOf(value: string): string {
  try {
    return String((JSON.parse(value) as { type?: unknown }).type)
  } catch {
    return 'unparseable'
  }
}
