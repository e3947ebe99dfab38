/**
 * docker-compose.yml's containers and how they fit together, checked without a Docker engine (none
 * runs where the tests do): which containers run, Kafka in KRaft mode, PostgreSQL with a database
 * per service, what is published, health checks, start-up order, volumes and restarts. The
 * services' settings are checked in compose-environment.test.ts, how their images are built in
 * build.test.ts and dockerfile.test.ts, and what those images install in dependencies.test.ts.
 */
import { readdirSync } from 'node:fs'
import { join, posix } from 'node:path'
import { loadConfig, metricsPortOf } from '@shop/platform'
import type { TObject } from 'typebox'
import { describe, expect, it } from 'vitest'
import {
  type ComposeService,
  compose,
  containerPort,
  dependsOn,
  environmentOf,
  healthcheckCommand,
  services,
  volumeMounts,
} from './support/compose.ts'
import { APP_SERVICES, isDirectory, ROOT, read } from './support/repository.ts'

/** What each service needs healthy before it starts. */
const DEPENDENCIES: Record<string, string[]> = {
  'orders-service': ['postgres', 'kafka'],
  'payments-service': ['postgres', 'kafka'],
  'api-gateway': ['orders-service', 'payments-service', 'keycloak'],
}
/** What a browser reaches: the gateway, and the issuer where it signs in. Nothing else is published. */
const PUBLISHED: Record<string, number> = { 'api-gateway': 8000, keycloak: 8080 }

describe('docker-compose.yml', () => {
  it('runs Kafka, PostgreSQL, Keycloak and the three services, and no ZooKeeper', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api-gateway', 'kafka', 'keycloak', 'orders-service', 'payments-service', 'postgres'].sort(),
    )
    for (const [name, service] of Object.entries(services)) {
      expect(`${name} ${service.image ?? ''}`).not.toMatch(/zookeeper/i)
      expect(Object.keys(environmentOf(name)).filter((key) => /ZOOKEEPER/.test(key))).toEqual([])
    }
  })

  it('runs a single Kafka 4 node in KRaft combined mode with the official image', () => {
    const kafka = services.kafka as ComposeService
    expect(kafka.image).toMatch(/^apache\/kafka:4\.\d+\.\d+$/)
    const env = environmentOf('kafka')
    expect(env.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller'])
    expect(env.KAFKA_NODE_ID).toMatch(/^\d+$/)
    // The node votes for itself on a listener named as the controller listener.
    const controllerName = env.KAFKA_CONTROLLER_LISTENER_NAMES as string
    const listeners = (env.KAFKA_LISTENERS ?? '').split(',')
    const controllerListener = listeners.find((listener) => listener.startsWith(`${controllerName}://`))
    expect(controllerListener).toBeDefined()
    const voters = (env.KAFKA_CONTROLLER_QUORUM_VOTERS ?? '').split(',')
    expect(voters).toHaveLength(1)
    expect(voters[0]).toMatch(
      new RegExp(`^${env.KAFKA_NODE_ID}@[\\w.-]+:${controllerListener?.split(':').at(-1)}$`),
    )
    // Every listener has a protocol, and the brokers talk on a listener that exists.
    const protocols = Object.fromEntries(
      (env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '').split(',').map((pair) => pair.split(':')),
    )
    for (const listener of listeners) expect(protocols[listener.split('://')[0] as string]).toBeDefined()
    expect(listeners.map((listener) => listener.split('://')[0])).toContain(
      env.KAFKA_INTER_BROKER_LISTENER_NAME,
    )
    // Clients on the compose network are told to come back to kafka:9092.
    expect(env.KAFKA_ADVERTISED_LISTENERS?.split(',')).toContain('PLAINTEXT://kafka:9092')
    // The launcher formats the storage with CLUSTER_ID: 16 bytes in base64url.
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
    // One broker can host no internal topic with more than one replica.
    for (const key of [
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
    ]) {
      expect(env[key], key).toBe('1')
    }
    // The log is kept on a named volume.
    const logDirs = env.KAFKA_LOG_DIRS as string
    expect(volumeMounts('kafka').some((mount) => mount.named && logDirs.startsWith(mount.target))).toBe(true)
  })

  it('runs PostgreSQL with one database per service, created by an init script', () => {
    const postgres = services.postgres as ComposeService
    const major = Number(/^postgres:(\d+)/.exec(postgres.image ?? '')?.[1])
    expect(major).toBeGreaterThanOrEqual(17)
    const env = environmentOf('postgres')
    expect(env.POSTGRES_PASSWORD).toBeTruthy()
    const mounts = volumeMounts('postgres')
    // 18+ images keep the data in /var/lib/postgresql/<major>/docker and refuse a mount at .../data.
    const dataDir = major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data'
    expect(mounts.find((mount) => mount.target === dataDir)?.named).toBe(true)
    const init = mounts.find((mount) => mount.target === '/docker-entrypoint-initdb.d')
    expect(init).toBeDefined()
    const initDir = posix.normalize(init?.source ?? '')
    expect(isDirectory(initDir)).toBe(true)
    const created = new Set(
      readdirSync(join(ROOT, initDir))
        .filter((file) => /\.(sql|sh)$/.test(file))
        .flatMap((file) => [...read(join(initDir, file)).matchAll(/CREATE DATABASE\s+"?(\w+)"?/gi)])
        .map((match) => match[1]),
    )
    const databases = ['orders-service', 'payments-service'].map((name) => {
      const url = new URL(environmentOf(name).DATABASE_URL as string)
      expect(url.hostname, name).toBe('postgres')
      expect(url.port || '5432', name).toBe('5432')
      expect(decodeURIComponent(url.username), name).toBe(env.POSTGRES_USER)
      expect(decodeURIComponent(url.password), name).toBe(env.POSTGRES_PASSWORD)
      const database = url.pathname.slice(1)
      expect(created, `${name}'s database ${database}`).toContain(database)
      return database
    })
    expect(new Set(databases).size).toBe(databases.length)
  })

  it('publishes only the gateway’s port 8000 and Keycloak’s 8080', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.network_mode, name).toBeUndefined()
      const published = PUBLISHED[name]
      expect((service.ports ?? []).map(containerPort), name).toEqual(
        published === undefined ? [] : [published],
      )
    }
    expect(environmentOf('api-gateway').PORT).toBe('8000')
    expect(environmentOf('keycloak').KC_HTTP_PORT).toBe('8080')
  })

  it('serves every service’s metrics on the compose network, on a port of its own, published nowhere', () => {
    for (const name of Object.keys(APP_SERVICES)) {
      const config = loadConfig(APP_SERVICES[name] as TObject, environmentOf(name)) as Record<string, unknown>
      // Reachable by a scraper on the network; loopback (the default) would reach no one.
      expect(config.METRICS_HOST, name).toBe('0.0.0.0')
      const metricsPort = metricsPortOf(config as { PORT: number; METRICS_PORT?: number })
      expect(metricsPort, name).not.toBe(config.PORT)
      const published = (services[name]?.ports ?? []).map(containerPort)
      expect(published, name).not.toContain(metricsPort)
    }
  })

  it('gives every service a health check, and the services probe their /health', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.disable, name).not.toBe(true)
      const command = healthcheckCommand(name)
      expect(command, name).toMatch(/^CMD(-SHELL)? \S/)
      if (name in APP_SERVICES) {
        expect(command, name).toContain('/health')
        expect(command, name).not.toMatch(/\b(curl|wget)\b/) // not in the slim Node image
      }
    }
    expect(healthcheckCommand('postgres')).toContain('pg_isready')
    expect(healthcheckCommand('kafka')).toContain('kafka-broker-api-versions.sh')
  })

  it('starts each service after what it needs is healthy', () => {
    for (const [name, needs] of Object.entries(DEPENDENCIES)) {
      const dependencies = dependsOn(name)
      expect(Object.keys(dependencies).sort(), name).toEqual([...needs].sort())
      for (const dependency of needs) {
        expect(dependencies[dependency], `${name} -> ${dependency}`).toBe('service_healthy')
        expect(services[dependency]?.healthcheck, dependency).toBeDefined()
      }
    }
    for (const name of ['kafka', 'postgres']) expect(dependsOn(name), name).toEqual({})
  })

  it('keeps Kafka and PostgreSQL data on declared named volumes, every one of them used', () => {
    const declared = Object.keys(compose.volumes ?? {})
    const used = Object.keys(services).flatMap((name) =>
      volumeMounts(name)
        .filter((mount) => mount.named)
        .map((mount) => mount.source),
    )
    expect(new Set(used)).toEqual(new Set(declared))
    for (const name of ['kafka', 'postgres']) {
      expect(
        volumeMounts(name).some((mount) => mount.named),
        name,
      ).toBe(true)
    }
  })

  it('restarts every container unless it was stopped', () => {
    for (const [name, service] of Object.entries(services))
      expect(service.restart, name).toBe('unless-stopped')
  })
})
