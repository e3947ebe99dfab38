import type { Connection } from '../state/shop-state.ts'

const LABELS: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
}

/** Whether order statuses are followed live right now. */
export function LiveBadge({ connection }: { connection: Connection }) {
  return (
    <p class={`live live-${connection}`} role="status" data-testid="live-badge">
      <span class="live-dot" aria-hidden="true" />
      <span class="visually-hidden">Order status updates: </span>
      {LABELS[connection]}
    </p>
  )
}
