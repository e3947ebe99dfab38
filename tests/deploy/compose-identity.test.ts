/**
 * How docker-compose.yml establishes who is calling, checked without a Docker engine: the gateway
 * in oidc mode trusting the Keycloak it runs, the realm Keycloak imports (the storefront as a
 * public client with PKCE, an audience for the API, a demo user), and the internal token that
 * keeps the services' ports from being a way around the gateway.
 */
import { posix } from 'node:path'
import { loadConfig } from '@shop/platform'
import { describe, expect, it } from 'vitest'
import { authSettingsViolation, GatewayConfig } from '../../services/api-gateway/src/config.ts'
import {
  containerPort,
  environmentOf,
  healthcheckCommand,
  interpolate,
  services,
  volumeMounts,
} from './support/compose.ts'
import { APP_NAMES, exists, read } from './support/repository.ts'

interface RealmClient {
  clientId: string
  publicClient?: boolean
  standardFlowEnabled?: boolean
  implicitFlowEnabled?: boolean
  directAccessGrantsEnabled?: boolean
  redirectUris?: string[]
  webOrigins?: string[]
  attributes?: Record<string, string>
  protocolMappers?: { protocolMapper: string; config: Record<string, string> }[]
}
interface Realm {
  realm: string
  enabled: boolean
  clients: RealmClient[]
  users: {
    username: string
    enabled: boolean
    credentials: { type: string; value: string; temporary: boolean }[]
  }[]
}

const IMPORT_DIR = '/opt/keycloak/data/import'
const gateway = loadConfig(GatewayConfig, environmentOf('api-gateway'))
const keycloak = environmentOf('keycloak')

/** The host port a service is published on (its only `ports` entry), with compose's defaults. */
const hostPort = (name: string) =>
  interpolate(String(services[name]?.ports?.[0] ?? ''))
    .split(':')
    .at(-2)

function importedRealm(): Realm {
  const mount = volumeMounts('keycloak').find((each) => each.target === IMPORT_DIR)
  expect(mount, 'the realm directory mounted for import').toBeDefined()
  const file = posix.join(posix.normalize(mount?.source ?? ''), 'shop-realm.json')
  expect(exists(file), file).toBe(true)
  return JSON.parse(read(file)) as Realm
}

describe('docker-compose.yml: who is calling', () => {
  it('runs the gateway in oidc mode, with settings it boots with', () => {
    expect(gateway.AUTH_MODE).toBe('oidc')
    expect(authSettingsViolation(gateway)).toBeUndefined()
  })

  it('runs Keycloak, pinned, importing its realm at start, with a health check on /health/ready', () => {
    expect(services.keycloak?.image).toMatch(/^quay\.io\/keycloak\/keycloak:\d+\.\d+\.\d+$/)
    expect(services.keycloak?.command).toContain('--import-realm')
    expect(keycloak.KC_HEALTH_ENABLED).toBe('true')
    expect(healthcheckCommand('keycloak')).toContain('/health/ready')
  })

  it('names as the issuer the realm at the URL browsers reach, and lets the gateway read discovery on the network', () => {
    const realm = importedRealm()
    expect(keycloak.KC_HOSTNAME).toBe(`http://127.0.0.1:${hostPort('keycloak')}`)
    expect(gateway.OIDC_ISSUER).toBe(`${keycloak.KC_HOSTNAME}/realms/${realm.realm}`)
    const discovery = new URL(gateway.OIDC_DISCOVERY_URL ?? '')
    expect(discovery.hostname).toBe('keycloak')
    expect(Number(discovery.port)).toBe(containerPort(services.keycloak?.ports?.[0] ?? 0))
    expect(discovery.pathname).toBe(`/realms/${realm.realm}/.well-known/openid-configuration`)
    // Else the discovery document read on the network would send the gateway to 127.0.0.1 for keys.
    expect(keycloak.KC_HOSTNAME_BACKCHANNEL_DYNAMIC).toBe('true')
  })

  it('imports the storefront as a public client with Authorization Code and PKCE only, sent back to the gateway', () => {
    const client = importedRealm().clients.find((each) => each.clientId === gateway.OIDC_CLIENT_ID)
    expect(client).toBeDefined()
    expect(client).toMatchObject({
      publicClient: true,
      standardFlowEnabled: true,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
    })
    expect(client?.attributes?.['pkce.code.challenge.method']).toBe('S256')
    const origin = `http://127.0.0.1:${hostPort('api-gateway')}`
    expect(client?.redirectUris).toContain(`${origin}/`)
    expect(client?.webOrigins).toContain(origin)
    expect(client?.attributes?.['post.logout.redirect.uris']?.split('##')).toContain(`${origin}/`)
  })

  it('puts the gateway’s audience into the storefront’s access tokens, and not into its ID tokens', () => {
    const client = importedRealm().clients.find((each) => each.clientId === gateway.OIDC_CLIENT_ID)
    const audience = client?.protocolMappers?.find(
      (mapper) => mapper.protocolMapper === 'oidc-audience-mapper',
    )
    expect(audience?.config['included.custom.audience']).toBe(gateway.OIDC_AUDIENCE)
    expect(audience?.config['access.token.claim']).toBe('true')
    expect(audience?.config['id.token.claim']).toBe('false')
  })

  it('imports an enabled demo user with a password that lasts', () => {
    const user = importedRealm().users[0]
    expect(user?.enabled).toBe(true)
    expect(user?.credentials).toContainEqual(expect.objectContaining({ type: 'password', temporary: false }))
  })

  it('gives the gateway and both services one INTERNAL_AUTH_TOKEN they accept, and signs tickets with a secret of its own', () => {
    const tokens = new Set(APP_NAMES.map((name) => environmentOf(name).INTERNAL_AUTH_TOKEN))
    expect(tokens.size).toBe(1)
    expect([...tokens][0]?.length).toBeGreaterThanOrEqual(32)
    expect(gateway.WS_TICKET_SECRET).toBeDefined()
    expect(gateway.WS_TICKET_SECRET).not.toBe(gateway.INTERNAL_AUTH_TOKEN)
  })
})
