/**
 * The settings docker-compose.yml gives the services: each environment is one the service's own
 * config schema accepts at boot (a wrong name or value would stop the container), the services
 * find Kafka and each other by their compose names, and every variable compose reads from the
 * shell or .env is documented in .env.example.
 */
import { loadConfig } from '@shop/platform'
import type { TObject } from 'typebox'
import { describe, expect, it } from 'vitest'
import {
  COMPOSE_FILE,
  environmentOf,
  interpolatedVariables,
  requiredWithoutDefault,
} from './support/compose.ts'
import { exposedPort } from './support/image.ts'
import { APP_NAMES, APP_SERVICES, read } from './support/repository.ts'

describe('docker-compose.yml', () => {
  describe.each(APP_NAMES)('%s environment', (name) => {
    const schema = APP_SERVICES[name] as TObject
    const env = environmentOf(name)

    it('names only settings of its config schema and gives the required ones', () => {
      const known = Object.keys(schema.properties)
      expect(Object.keys(env).filter((key) => !known.includes(key))).toEqual([])
      for (const key of requiredWithoutDefault(schema)) expect(env, key).toHaveProperty(key)
    })

    it('is accepted by the service at boot, listening on all interfaces', () => {
      const config = loadConfig(schema, env) as Record<string, unknown>
      expect(config.HOST).toBe('0.0.0.0')
      expect(String(config.PORT)).toBe(exposedPort(name))
    })
  })

  it('points the services at Kafka and the gateway at the services, by service name and port', () => {
    const advertised = environmentOf('kafka').KAFKA_ADVERTISED_LISTENERS?.split(',') ?? []
    for (const name of ['orders-service', 'payments-service']) {
      const env = environmentOf(name)
      for (const server of (env.KAFKA_BOOTSTRAP_SERVERS ?? '').split(',')) {
        expect(
          advertised.map((listener) => listener.split('://')[1]),
          name,
        ).toContain(server)
      }
    }
    const gateway = environmentOf('api-gateway')
    for (const [key, target] of [
      ['ORDERS_SERVICE_URL', 'orders-service'],
      ['PAYMENTS_SERVICE_URL', 'payments-service'],
    ] as const) {
      const url = new URL(gateway[key] as string)
      expect(url.hostname, key).toBe(target)
      expect(url.port, key).toBe(environmentOf(target).PORT)
    }
    // Both sides of each topic agree, and each service consumes in a group of its own.
    const orders = environmentOf('orders-service')
    const payments = environmentOf('payments-service')
    expect(orders.ORDERS_TOPIC).toBe(payments.ORDERS_TOPIC)
    expect(orders.PAYMENT_RESULTS_TOPIC).toBe(payments.PAYMENT_RESULTS_TOPIC)
    expect(orders.KAFKA_CONSUMER_GROUP ?? 'orders-service').not.toBe(
      payments.KAFKA_CONSUMER_GROUP ?? 'payments-service',
    )
  })

  it('documents in .env.example every variable it interpolates', () => {
    const documented = read('.env.example')
    const missing = [...interpolatedVariables(read(COMPOSE_FILE))].filter(
      (name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(documented),
    )
    expect(missing).toEqual([])
  })
})
