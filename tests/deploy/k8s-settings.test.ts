/**
 * The settings deploy/k8s gives the services, checked against their own config schemas (the ones
 * they validate at boot): every variable a container gets is one its schema knows, the required
 * ones are there, the whole environment boots, the ports it names are the container's and the
 * Services', and the services find each other, Kafka's topics and their consumer groups.
 */
import { loadConfig } from '@shop/platform'
import type { TObject } from 'typebox'
import { describe, expect, it } from 'vitest'
import { requiredWithoutDefault } from './support/compose.ts'
import {
  containerOf,
  DATABASE_SECRET,
  DATABASE_SECRET_EXAMPLE,
  envFile,
  environmentOf,
  INTERNAL_AUTH_SECRET,
  INTERNAL_AUTH_SECRET_EXAMPLE,
  named,
  OVERLAYS,
  ofKind,
  portNamed,
  type Resource,
  renderOverlays,
} from './support/kustomize.ts'
import { APP_NAMES, APP_SERVICES } from './support/repository.ts'
import { kubectl } from './support/tools.ts'

const tool = kubectl('the Kubernetes settings checks')
const overlays = renderOverlays(tool.command)

const deploymentsOf = (resources: Resource[]) =>
  ofKind(resources, 'Deployment').map((deployment) => ({
    name: deployment.metadata.name,
    container: containerOf(deployment),
    env: environmentOf(containerOf(deployment), resources),
  }))

describe.skipIf(!tool.command).each(OVERLAYS)('deploy/k8s overlay %s', (overlay) => {
  const resources = overlays[overlay] ?? []
  const deployments = deploymentsOf(resources)
  const deployment = (name: string) => deployments.find((candidate) => candidate.name === name)

  it('runs each of the three services, and nothing else', () => {
    expect(deployments.map(({ name }) => name).sort()).toEqual([...APP_NAMES].sort())
  })

  describe.each(APP_NAMES)('%s', (name) => {
    const schema = APP_SERVICES[name] as TObject
    const found = deployment(name)
    const env = found?.env ?? {}

    it('sets only variables its config schema knows, and every required one', () => {
      const known = Object.keys(schema.properties)
      const unknown = Object.keys(env).filter((key) => !known.includes(key))
      expect(unknown).toEqual([])
      for (const key of requiredWithoutDefault(schema)) expect(env[key], key).toBeDefined()
    })

    it('is accepted by the service at boot, listening on all interfaces on its container port', () => {
      const config = loadConfig(schema, env) as Record<string, unknown>
      expect(config.HOST).toBe('0.0.0.0')
      expect(config.PORT).toBe(portNamed(found?.container ?? { name, image: '' }, 'http'))
    })

    it('exposes its metrics listener as the container port named metrics, on all interfaces', () => {
      expect(env.METRICS_HOST).toBe('0.0.0.0')
      expect(Number(env.METRICS_PORT)).toBe(portNamed(found?.container ?? { name, image: '' }, 'metrics'))
      expect(env.METRICS_PORT).not.toBe(env.PORT)
    })

    it('is reachable through a Service of its name on its port', () => {
      const service = named(resources, 'Service', name)
      expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': name })
      expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP')
      const [port] = service.spec.ports
      expect(port.targetPort).toBe('http')
      expect(String(port.port)).toBe(env.PORT)
    })
  })

  it('points the gateway at each service it knows of (its *_SERVICE_URL settings) by Service name and port', () => {
    const gateway = deployment('api-gateway')?.env ?? {}
    const upstreams = Object.keys(APP_SERVICES['api-gateway']?.properties ?? {}).filter((key) =>
      key.endsWith('_SERVICE_URL'),
    )
    expect(upstreams.length).toBeGreaterThan(0)
    for (const key of upstreams) {
      const service = `${key.replace(/_SERVICE_URL$/, '').toLowerCase()}-service`
      const url = new URL(gateway[key] as string)
      expect({ host: url.hostname, port: url.port }, key).toEqual({
        host: service,
        port: deployment(service)?.env.PORT,
      })
    }
  })

  it('gives both services the same topics and Kafka, and each a consumer group of its own', () => {
    const orders = deployment('orders-service')?.env ?? {}
    const payments = deployment('payments-service')?.env ?? {}
    for (const key of [
      'ORDERS_TOPIC',
      'PAYMENT_RESULTS_TOPIC',
      'KAFKA_BOOTSTRAP_SERVERS',
      'TOPIC_PARTITIONS',
    ])
      expect(orders[key], key).toBe(payments[key])
    expect(orders.KAFKA_BOOTSTRAP_SERVERS).toBeTruthy()
    expect(orders.KAFKA_CONSUMER_GROUP).toBeTruthy()
    expect(orders.KAFKA_CONSUMER_GROUP).not.toBe(payments.KAFKA_CONSUMER_GROUP)
  })

  it('has at least as many partitions per topic as replicas of its consumer may run', () => {
    const partitions = Number(deployment('orders-service')?.env.TOPIC_PARTITIONS)
    for (const consumer of ['orders-service', 'payments-service']) {
      const autoscaler = named(resources, 'HorizontalPodAutoscaler', consumer)
      expect(partitions, consumer).toBeGreaterThanOrEqual(autoscaler.spec.maxReplicas)
    }
  })

  it('reads database URLs from Secrets by reference, never as a value', () => {
    for (const { name, container } of deployments) {
      for (const variable of container.env ?? []) {
        if (/URL$/.test(variable.name) && /DATABASE/.test(variable.name))
          expect(variable.valueFrom?.secretKeyRef, `${name} ${variable.name}`).toBeDefined()
      }
    }
  })
})

describe.skipIf(!tool.command)(`the ${DATABASE_SECRET} Secret's example`, () => {
  it('lists exactly the keys the manifests read from the Secret, with placeholder passwords', () => {
    const example = envFile(DATABASE_SECRET_EXAMPLE)
    const referenced = new Set(
      Object.values(overlays)
        .flatMap(deploymentsOf)
        .flatMap(({ container }) => container.env ?? [])
        .map((variable) => variable.valueFrom?.secretKeyRef)
        .filter((ref) => ref?.name === DATABASE_SECRET)
        .map((ref) => ref?.key),
    )
    expect(new Set(Object.keys(example))).toEqual(referenced)
    for (const url of Object.values(example)) expect(new URL(url).password).toBe('CHANGE_ME')
  })
})

describe.skipIf(!tool.command)('INTERNAL_AUTH_TOKEN on Kubernetes', () => {
  it('is given to the gateway and both services, in every overlay, from one Secret key, by reference', () => {
    for (const overlay of OVERLAYS) {
      const refs = (overlays[overlay] ?? [])
        .filter((resource) => resource.kind === 'Deployment')
        .map((deployment) => ({
          name: deployment.metadata.name,
          ref: containerOf(deployment).env?.find((variable) => variable.name === 'INTERNAL_AUTH_TOKEN')
            ?.valueFrom?.secretKeyRef,
        }))
      expect(refs.map(({ name }) => name).sort(), overlay).toEqual([...APP_NAMES].sort())
      for (const { name, ref } of refs) {
        expect(ref, `${overlay} ${name}`).toEqual({ name: INTERNAL_AUTH_SECRET, key: 'INTERNAL_AUTH_TOKEN' })
      }
    }
  })

  it('has an example Secret with exactly that key and a placeholder long enough to boot with', () => {
    const example = envFile(INTERNAL_AUTH_SECRET_EXAMPLE)
    expect(Object.keys(example)).toEqual(['INTERNAL_AUTH_TOKEN'])
    expect(example.INTERNAL_AUTH_TOKEN).toMatch(/^CHANGE_ME/)
    expect(example.INTERNAL_AUTH_TOKEN?.length).toBeGreaterThanOrEqual(32)
  })
})
