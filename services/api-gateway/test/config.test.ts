import { ConfigError, loadConfig } from '@shop/platform'
import { describe, expect, it } from 'vitest'
import { authSettingsViolation, GatewayConfig } from '../src/config.ts'

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

describe('the gateway’s identity settings', () => {
  it('when nothing is set, then the mode is header, as the seed’s flow needs', () => {
    const config = loadConfig(GatewayConfig, {})
    expect(config.AUTH_MODE).toBe('header')
    expect(authSettingsViolation(config)).toBeUndefined()
  })

  it('when AUTH_MODE is oidc without issuer and audience, then boot is refused naming both', () => {
    const violation = authSettingsViolation(loadConfig(GatewayConfig, { AUTH_MODE: 'oidc' }))
    expect(violation).toMatch(/OIDC_ISSUER/)
    expect(violation).toMatch(/OIDC_AUDIENCE/)
  })

  it('when AUTH_MODE is oidc with issuer and audience, then the user claim defaults to sub', () => {
    const config = loadConfig(GatewayConfig, {
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: 'https://id.example.com/realms/shop',
      OIDC_AUDIENCE: 'shop-api',
    })
    expect(authSettingsViolation(config)).toBeUndefined()
    expect(config.OIDC_USER_CLAIM).toBe('sub')
  })

  it.each([
    ['AUTH_MODE', 'jwt'],
    ['INTERNAL_AUTH_TOKEN', 'short'],
    ['WS_TICKET_SECRET', 'short'],
  ])('when %s is %s, then boot is refused naming it', (name, raw) => {
    expect(() => loadConfig(GatewayConfig, { [name]: raw })).toThrow(new RegExp(name))
  })
})
