import { ConfigError, loadConfig } from '@shop/platform'
import { describe, expect, it } from 'vitest'
import { GatewayConfig } from '../src/config.ts'

describe('the gateway’s RATE_LIMIT_PER_MINUTE setting', () => {
  it('when it is not set, then each user may make 1200 requests a minute', () => {
    expect(loadConfig(GatewayConfig, {}).RATE_LIMIT_PER_MINUTE).toBe(1_200)
  })

  it.each([
    ['0', 0],
    ['60', 60],
  ])('when it is %s, then it is read as %d', (raw, expected) => {
    expect(loadConfig(GatewayConfig, { RATE_LIMIT_PER_MINUTE: raw }).RATE_LIMIT_PER_MINUTE).toBe(expected)
  })

  it.each(['-1', '2000000', 'many'])('when it is %s, then the gateway refuses to boot, naming it', (raw) => {
    expect(() => loadConfig(GatewayConfig, { RATE_LIMIT_PER_MINUTE: raw })).toThrow(ConfigError)
    expect(() => loadConfig(GatewayConfig, { RATE_LIMIT_PER_MINUTE: raw })).toThrow(/RATE_LIMIT_PER_MINUTE/)
  })
})
