import { describe, expect, it } from 'vitest'
import { createShopApi } from '../src/api/shop-api.ts'
import { readAuthConfig } from '../src/auth/auth-config.ts'
import { ticketedLiveUrl } from '../src/auth/ticketed-live-url.ts'
import { connectLiveStatus, type SocketLike } from '../src/live/live-status.ts'

/** A fetch that records each request and answers every one with the given status and JSON. */
function answering(status: number, body: unknown) {
  const sent: { url: string; init: RequestInit | undefined }[] = []
  const fetchFn = async (url: string, init?: RequestInit) => {
    sent.push({ url, init })
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  }
  return { sent, fetchFn }
}

describe('the page in oidc mode', () => {
  it('when the gateway says oidc, then the page learns the issuer, client and audience', async () => {
    const config = {
      mode: 'oidc',
      issuer: 'https://id.test/realms/shop',
      client_id: 'storefront',
      audience: 'shop-api',
    }
    expect(await readAuthConfig(answering(200, config).fetchFn)).toEqual(config)
  })

  it('when the gateway says header, or does not answer the question, then the page runs in header mode', async () => {
    expect(await readAuthConfig(answering(200, { mode: 'header' }).fetchFn)).toEqual({ mode: 'header' })
    expect(await readAuthConfig(answering(404, {}).fetchFn)).toEqual({ mode: 'header' })
  })

  it('when oidc mode lacks its issuer, then the page says so rather than sign in somewhere', async () => {
    await expect(readAuthConfig(answering(200, { mode: 'oidc' }).fetchFn)).rejects.toThrow(/issuer/)
  })

  it('when the API is called with a bearer token, then it carries the token and no X-User-Id', async () => {
    const { sent, fetchFn } = answering(200, [])
    let token = 'first'
    const api = createShopApi(fetchFn, '', () => ({ authorization: `Bearer ${token}` }))

    await api.listOrders('alice')
    token = 'renewed'
    await api.listOrders('alice')

    const headers = sent.map(({ init }) => init?.headers as Record<string, string>)
    expect(headers.map((each) => each.authorization)).toEqual(['Bearer first', 'Bearer renewed'])
    for (const each of headers) expect(each).not.toHaveProperty('x-user-id')
  })

  it('when the live socket opens, then it first trades the current token for a ticket', async () => {
    const { sent, fetchFn } = answering(201, { ticket: 'a.b+c', expires_in: 30 })

    const url = await ticketedLiveUrl(fetchFn, { protocol: 'https:', host: 'shop.test' }, () => 'the-token')()

    expect(url).toBe('wss://shop.test/ws?ticket=a.b%2Bc')
    expect(sent[0]).toMatchObject({ url: '/ws/tickets', init: { method: 'POST' } })
    expect(sent[0]?.init?.headers).toMatchObject({ authorization: 'Bearer the-token' })
  })

  it('when no ticket is given, then no socket is opened and the page tries again later', async () => {
    const { fetchFn } = answering(401, { code: 'invalid_token' })
    const sockets: string[] = []
    const retries: number[] = []
    const connections: string[] = []
    const live = connectLiveStatus({
      url: ticketedLiveUrl(fetchFn, { protocol: 'http:', host: 'shop.test' }, () => 'expired'),
      onPush: () => {},
      onOpen: () => {},
      onConnection: (connection) => connections.push(connection),
      createSocket: (url) => {
        sockets.push(url)
        return {} as SocketLike
      },
      setTimer: (_run, ms) => retries.push(ms),
      clearTimer: () => {},
      random: () => 1,
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    live.close()

    expect(sockets).toEqual([])
    expect(retries).toEqual([500])
    expect(connections).toEqual(['connecting', 'reconnecting'])
  })
})
