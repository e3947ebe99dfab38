import type { StatusPush } from '../domain/order.ts'

const STATUSES = new Set(['NEW', 'FINISHED', 'CANCELLED'])

/** The status push in a socket message, or undefined for anything else (a later kind of message). */
export function parsePush(data: unknown): StatusPush | undefined {
  if (typeof data !== 'string') return undefined
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return undefined
  }
  const push = value as Partial<StatusPush> | null
  if (push?.type !== 'order_status' || typeof push.order_id !== 'string') return undefined
  if (typeof push.status !== 'string' || !STATUSES.has(push.status)) return undefined
  if (push.reason !== undefined && typeof push.reason !== 'string') return undefined
  return {
    type: 'order_status',
    order_id: push.order_id,
    status: push.status,
    ...(push.reason ? { reason: push.reason } : {}),
  }
}
