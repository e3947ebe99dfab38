import { describe, expect, it } from 'vitest'
import { NETWORK_ERROR_TEXT, problemText } from '../src/api/problem-text.ts'
import { createShopApi } from '../src/api/shop-api.ts'
import { USER } from './orders.fixture.ts'

interface Sent {
  url: string
  method: string | undefined
  headers: Record<string, string>
  body: unknown
}

/** A fetch that records each request and answers with the given status and JSON. */
function fakeFetch(status: number, body: unknown, contentType = 'application/json') {
  const sent: Sent[] = []
  const fetchFn = async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: init.method,
      headers: init.headers as Record<string, string>,
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
    })
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': contentType },
    })
  }
  return { sent, fetchFn }
}

describe('the API client', () => {
  it('when an order is placed, then it is a POST with the user, the key and the JSON body', async () => {
    const order = { id: 'o', status: 'NEW' }
    const { sent, fetchFn } = fakeFetch(201, order)

    const result = await createShopApi(fetchFn).placeOrder(USER, { amount: 30, description: 'tea' }, 'key-1')

    expect(result).toEqual({ ok: true, value: order })
    expect(sent).toEqual([
      {
        url: '/orders',
        method: 'POST',
        headers: {
          'x-user-id': USER,
          accept: 'application/json',
          'content-type': 'application/json',
          'idempotency-key': 'key-1',
        },
        body: { amount: 30, description: 'tea' },
      },
    ])
  })

  it('when an account is opened, then the POST has a key and no body', async () => {
    const { sent, fetchFn } = fakeFetch(201, { user_id: USER, balance: 0 })

    await createShopApi(fetchFn, 'http://shop.test').openAccount(USER, 'key-2')

    expect(sent[0]).toMatchObject({ url: 'http://shop.test/accounts', method: 'POST', body: undefined })
    expect(sent[0]?.headers).not.toHaveProperty('content-type')
    expect(sent[0]?.headers['idempotency-key']).toBe('key-2')
  })

  it.each([
    [
      'readBalance',
      (api: ReturnType<typeof createShopApi>) => api.readBalance(USER),
      'GET',
      '/accounts/balance',
    ],
    ['listOrders', (api: ReturnType<typeof createShopApi>) => api.listOrders(USER), 'GET', '/orders'],
    ['topUp', (api: ReturnType<typeof createShopApi>) => api.topUp(USER, 5, 'k'), 'POST', '/accounts/topup'],
  ])('when %s is called, then it asks %s %s', async (_name, call, method, url) => {
    const { sent, fetchFn } = fakeFetch(200, {})
    await call(createShopApi(fetchFn))
    expect(sent[0]).toMatchObject({ method, url })
  })

  it('when the API refuses with problem JSON, then the result carries its code and words', async () => {
    const { fetchFn } = fakeFetch(
      422,
      {
        code: 'balance_limit_exceeded',
        title: 'Balance limit',
        detail: 'The balance would exceed 1000000000',
      },
      'application/problem+json',
    )

    expect(await createShopApi(fetchFn).topUp(USER, 5, 'k')).toEqual({
      ok: false,
      status: 422,
      code: 'balance_limit_exceeded',
      text: 'The balance would exceed 1000000000.',
    })
  })

  it('when the answer is not JSON, then the status is said instead', async () => {
    const fetchFn = async () => new Response('<html>bad gateway</html>', { status: 502 })

    expect(await createShopApi(fetchFn).listOrders(USER)).toEqual({
      ok: false,
      status: 502,
      code: 'http_502',
      text: 'The shop answered with status 502.',
    })
  })

  it('when the network fails, then the result says the shop cannot be reached', async () => {
    const fetchFn = async () => {
      throw new TypeError('Failed to fetch')
    }

    expect(await createShopApi(fetchFn).listOrders(USER)).toEqual({
      ok: false,
      status: 0,
      code: 'network_error',
      text: NETWORK_ERROR_TEXT,
    })
  })
})

describe('errors in words', () => {
  it.each([
    ['a known code', { code: 'account_exists', detail: 'x' }, 'This user id already has an account.'],
    [
      'a detail',
      { code: 'validation_failed', detail: 'body/amount must be > 0' },
      'body/amount must be > 0.',
    ],
    ['a detail with its full stop', { detail: 'Retry in 3 s.' }, 'Retry in 3 s.'],
    ['only a title', { title: 'Not found' }, 'Not found.'],
    ['nothing usable', { detail: 42 }, 'The shop answered with status 400.'],
  ])('when the problem has %s, then that is what is shown', (_case, body, text) => {
    expect(problemText(400, body)).toBe(text)
  })
})

describe('the API client, cancellations, refunds and statements', () => {
  const ORDER = '3b241101-e2bb-4255-8caf-4136c566a962'

  it('when an order is cancelled, then it is a POST to its cancel route with a key and no body', async () => {
    const { sent, fetchFn } = fakeFetch(200, { id: ORDER, status: 'CANCELLED' })

    await createShopApi(fetchFn).cancelOrder(USER, ORDER, 'key-3')

    expect(sent).toMatchObject([
      {
        url: `/orders/${ORDER}/cancel`,
        method: 'POST',
        body: undefined,
        headers: { 'idempotency-key': 'key-3' },
      },
    ])
  })

  it('when a refund is asked for with or without an amount, then the body says so', async () => {
    const { sent, fetchFn } = fakeFetch(202, { id: 'r', status: 'PENDING' })
    const api = createShopApi(fetchFn)

    await api.requestRefund(USER, ORDER, 2.5, 'key-4')
    await api.requestRefund(USER, ORDER, undefined, 'key-5')

    expect(sent.map((each) => [each.url, each.body])).toEqual([
      [`/orders/${ORDER}/refunds`, { amount: 2.5 }],
      [`/orders/${ORDER}/refunds`, {}],
    ])
  })

  it('when the statement is read, then the cursor goes in the query; as CSV, the text comes back as it is', async () => {
    const json = fakeFetch(200, { entries: [], next_cursor: null })
    await createShopApi(json.fetchFn).readStatement(USER, '42')
    expect(json.sent[0]).toMatchObject({ url: '/accounts/statement?cursor=42', method: 'GET' })

    const csvText = 'id,kind\n1,opening\n'
    const csv = {
      sent: [] as { headers: Record<string, string>; url: string }[],
      fetchFn: async (url: string, init: RequestInit) => {
        csv.sent.push({ url, headers: init.headers as Record<string, string> })
        return new Response(csvText, { status: 200, headers: { 'content-type': 'text/csv' } })
      },
    }
    const result = await createShopApi(csv.fetchFn).statementCsv(USER)

    expect(result).toEqual({ ok: true, value: csvText })
    expect(csv.sent[0]?.headers.accept).toBe('text/csv')
  })
})
