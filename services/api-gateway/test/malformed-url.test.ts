import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { useGatewayOverEcho } from './support/gateway.ts'

/** The gateway on a real socket too: inject drops a URL's fragment, a raw client sends it. */
const fixture = useGatewayOverEcho({ listen: true })

const get = (url: string) =>
  fixture.gateway.inject({ method: 'GET', url, headers: { 'x-user-id': randomUUID() } })

/** A GET whose path goes on the wire exactly as given. */
function getRaw(path: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = request(fixture.url, { path, headers: { 'x-user-id': randomUUID() } }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

describe('a URL that is not valid percent-encoding', () => {
  // Found by the property tests: the proxy decodes the whole URL and threw, which was a 500.
  it.each(['/orders?limit=%', '/orders?a=%zz', '/accounts/balance?q=100%', '/orders?x=%ed%a0%80'])(
    'when the query string of %s is malformed, then 400 invalid_query problem, never forwarded',
    async (url) => {
      const seenBefore = fixture.echo.seen.length

      const response = await get(url)

      expect(response.statusCode).toBe(400)
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(response.json()).toMatchObject({ status: 400, code: 'invalid_query' })
      expect(fixture.echo.seen.length).toBe(seenBefore)
    },
  )

  it('when the fragment is malformed, then 400 malformed_url problem', async () => {
    const response = await getRaw('/orders#%zz')

    expect(response.status).toBe(400)
    expect(JSON.parse(response.body)).toMatchObject({ status: 400, code: 'malformed_url' })
  })

  it('when the query string is well-formed percent-encoding, then it is forwarded unchanged', async () => {
    const response = await get('/orders?limit=5&q=100%25&name=caf%C3%A9')

    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ url: '/orders?limit=5&q=100%25&name=caf%C3%A9' })
  })
})
