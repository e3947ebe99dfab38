import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendRequest, type WireAnswer } from '../../../tests/support/raw-http.ts'
import { type Gateway, startGateway } from './support/gateway.ts'
import { type RealUpstreams, startRealUpstreams } from './support/real-upstreams.ts'

/**
 * Paths with dot segments, sent as they are (a browser would have resolved them). The proxy
 * refused `/orders/..` in its own words (400 "source/request contain invalid characters") and
 * forwarded `/orders/.` as `/orders/`; now the gateway answers what the service answers itself.
 */
let upstreams: RealUpstreams
let gateway: Gateway
let gatewayUrl: string

beforeAll(async () => {
  upstreams = await startRealUpstreams()
  gateway = await startGateway({ ordersUrl: upstreams.ordersUrl, paymentsUrl: upstreams.paymentsUrl })
  gatewayUrl = await gateway.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await gateway?.close()
  await upstreams?.close()
})

/** The answer without what differs between any two answers: its date and request id. */
const comparable = ({ status, headers, body }: WireAnswer) => ({
  status,
  contentType: headers['content-type'],
  body: JSON.parse(body),
})

describe('a path with dot segments', () => {
  it.each([
    ['/orders/..', 'orders'],
    ['/orders/%2e%2e', 'orders'],
    ['/orders/%2E%2E', 'orders'],
    ['/orders/.', 'orders'],
    ['/orders/..%2f..', 'orders'],
    ['/orders/..?limit=5', 'orders'],
    ['/accounts/../orders', 'payments'],
    ['/orders/../accounts/balance', 'orders'],
    ['/accounts/./balance', 'payments'],
  ] as const)(
    'when %s is asked, then the gateway answers what %s-service answers, as problem JSON',
    async (path, service) => {
      const headers = { 'x-user-id': randomUUID() }
      const serviceUrl = service === 'orders' ? upstreams.ordersUrl : upstreams.paymentsUrl

      const atGateway = await sendRequest(gatewayUrl, { target: path, headers })
      const atService = await sendRequest(serviceUrl, { target: path, headers })

      expect(atGateway.status).toBeGreaterThanOrEqual(400)
      expect(atGateway.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(comparable(atGateway)).toEqual(comparable(atService))
    },
  )

  it('when a query string holds "../", then it is forwarded for the service to judge', async () => {
    const headers = { 'x-user-id': randomUUID() }

    const target = '/accounts/balance?next=../x'
    const atGateway = await sendRequest(gatewayUrl, { target, headers })
    const atService = await sendRequest(upstreams.paymentsUrl, { target, headers })

    // The service refuses the unknown parameter; the gateway neither refuses it as a path nor resolves it.
    expect(comparable(atGateway)).toMatchObject({ status: 400, body: { code: 'invalid_query' } })
    expect(comparable(atGateway)).toEqual(comparable(atService))
  })
})
