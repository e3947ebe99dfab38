/** The outbox backlog and consumer lag a service reports on its metrics listener (Prometheus text). */
export async function backlogOf(url: string): Promise<{ outbox: number | null; consumerLag: number | null }> {
  try {
    const text = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) }).then((response) =>
      response.text(),
    )
    const sum = (metric: string) => {
      const values = [...text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((match) =>
        Number(match[1]),
      )
      return values.length === 0 ? null : values.reduce((total, value) => total + value, 0)
    }
    return { outbox: sum('outbox_backlog_messages'), consumerLag: sum('consumer_lag_messages') }
  } catch {
    return { outbox: null, consumerLag: null }
  }
}
