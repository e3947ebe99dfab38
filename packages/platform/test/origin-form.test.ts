import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { toOriginForm } from '../src/http/origin-form.ts'

const target = (url: string) => toOriginForm({ url } as IncomingMessage)

describe('toOriginForm', () => {
  it.each([
    ['http://shop.example/accounts/balance', '/accounts/balance'],
    ['HTTP://shop.example:8000/orders?limit=5', '/orders?limit=5'],
    ['https://user@shop.example/orders/x#frag', '/orders/x#frag'],
    ['http://shop.example', '/'],
    ['http://shop.example?limit=5', '/?limit=5'],
    ['ws://shop.example/ws?user_id=u', '/ws?user_id=u'],
  ])('when the target is the absolute form %s, then it is routed as %s', (absolute, origin) => {
    expect(target(absolute)).toBe(origin)
  })

  it.each(['/orders', '/orders?next=http://x/y', '//double/slash', '*'])(
    'when the target is %s, then it is left as it came',
    (url) => {
      expect(target(url)).toBe(url)
    },
  )
})
