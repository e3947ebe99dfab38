type Fetch = (input: string, init: RequestInit) => Promise<Response>

/**
 * In oidc mode the live socket opens with a ticket: a browser cannot send Authorization on a
 * WebSocket, so each connection first trades the access token for a short-lived, single-use
 * ticket (`POST /ws/tickets`) and opens `/ws?ticket=`. Asked again for every (re)connection.
 */
export function ticketedLiveUrl(
  fetchFn: Fetch,
  location: Pick<Location, 'protocol' | 'host'>,
  accessToken: () => string,
): () => Promise<string> {
  return async () => {
    const response = await fetchFn('/ws/tickets', {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken()}`, accept: 'application/json' },
    })
    if (response.status !== 201) throw new Error(`no ticket for the live socket (${response.status})`)
    const { ticket } = (await response.json()) as { ticket: string }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
    return `${scheme}//${location.host}/ws?ticket=${encodeURIComponent(ticket)}`
  }
}
