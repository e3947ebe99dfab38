/**
 * deploy/k8s's NetworkPolicies, read as the network plugin applies them: everything is denied
 * unless a policy that selects the pod allows it, and the allowances add up. Only the gateway takes
 * traffic from outside (the ingress controller), the services take it from the gateway only (and the
 * metrics port from the monitoring namespace), and egress goes only to DNS, to the services (the
 * gateway), and to PostgreSQL and Kafka (the services).
 */
import { describe, expect, it } from 'vitest'
import {
  type Container,
  containerOf,
  named,
  OVERLAYS,
  ofKind,
  podLabels,
  type Resource,
  renderOverlays,
  selects,
} from './support/kustomize.ts'
import { APP_NAMES } from './support/repository.ts'
import { kubectl } from './support/tools.ts'

const POSTGRES_PORT = 5432
const KAFKA_PORT = 9092
const DNS_PORT = 53

interface Peer {
  podSelector?: Record<string, unknown>
  namespaceSelector?: { matchLabels?: Record<string, string> }
  ipBlock?: unknown
}
interface Rule {
  ports?: { port?: number | string; protocol?: string }[]
  from?: Peer[]
  to?: Peer[]
}

const tool = kubectl('the NetworkPolicy checks')
const overlays = renderOverlays(tool.command)

/** The rules of one direction of every policy that selects the pod. */
function rulesFor(
  policies: Resource[],
  labels: Record<string, string>,
  direction: 'Ingress' | 'Egress',
): Rule[] {
  return policies
    .filter((policy) => selects(policy.spec.podSelector, labels))
    .filter((policy) => (policy.spec.policyTypes ?? ['Ingress']).includes(direction))
    .flatMap((policy) => (direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? [])
}

/** A rule's ports as numbers (a named port is the container's); none means every port. */
const portsOf = (rule: Rule, container?: Container) =>
  (rule.ports ?? [{ port: undefined }]).map(({ port }) =>
    typeof port === 'string'
      ? container?.ports?.find((candidate) => candidate.name === port)?.containerPort
      : port,
  )

const namespaceOf = (peer: Peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']

/** The OTLP endpoint an overlay gives every service (components/tracing), if any. */
function otlpEndpointOf(resources: Resource[]): URL | undefined {
  const common = ofKind(resources, 'ConfigMap').find((map) => map.metadata.name.startsWith('shop-common'))
  const endpoint = common?.data?.OTEL_EXPORTER_OTLP_ENDPOINT
  return endpoint ? new URL(endpoint) : undefined
}

/** An egress rule to the trace collector: its one port, in the collector's namespace only. */
const isOtlpRule = (rule: Rule, endpoint: URL | undefined) =>
  endpoint !== undefined &&
  portsOf(rule).every((candidate) => candidate === Number(endpoint.port)) &&
  (rule.to ?? []).length > 0 &&
  (rule.to ?? []).every((peer) => namespaceOf(peer) === endpoint.hostname.split('.')[1])

describe.skipIf(!tool.command).each(OVERLAYS)('deploy/k8s overlay %s', (overlay) => {
  const resources = overlays[overlay] ?? []
  const policies = ofKind(resources, 'NetworkPolicy')
  const deployment = (name: string) => named(resources, 'Deployment', name)
  const port = (name: string, portName: string) =>
    containerOf(deployment(name)).ports?.find((candidate) => candidate.name === portName)?.containerPort
  const otlpEndpoint = otlpEndpointOf(resources)
  const egressOf = (name: string) =>
    rulesFor(policies, podLabels(deployment(name)), 'Egress').filter(
      (rule) => !isOtlpRule(rule, otlpEndpoint),
    )

  it('denies all ingress and egress of every pod in the namespace by default', () => {
    const denials = policies.filter(
      (policy) =>
        Object.keys(policy.spec.podSelector ?? {}).length === 0 &&
        policy.spec.ingress === undefined &&
        policy.spec.egress === undefined,
    )
    expect(denials).toHaveLength(1)
    expect(denials[0]?.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress'])
  })

  it.each(['orders-service', 'payments-service'])(
    'lets only the gateway reach %s, and the monitoring namespace its metrics port',
    (name) => {
      const container = containerOf(deployment(name))
      const gatewayLabels = podLabels(deployment('api-gateway'))
      const rules = rulesFor(policies, podLabels(deployment(name)), 'Ingress')
      expect(rules.length).toBeGreaterThan(0)
      for (const rule of rules) {
        const ports = portsOf(rule, container)
        expect(ports, 'every rule names its ports').not.toContain(undefined)
        for (const peer of rule.from ?? [{}]) {
          if (ports.every((candidate) => candidate === port(name, 'metrics'))) {
            expect(namespaceOf(peer)).toBe('monitoring')
            continue
          }
          expect(ports).toEqual([port(name, 'http')])
          expect(peer.namespaceSelector, 'the gateway of this namespace only').toBeUndefined()
          expect(peer.ipBlock).toBeUndefined()
          expect(selects(peer.podSelector, gatewayLabels)).toBe(true)
          expect(peer.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api-gateway' } })
        }
      }
    },
  )

  it('lets the ingress controller reach the gateway on its port, and nothing else from outside', () => {
    const container = containerOf(deployment('api-gateway'))
    const rules = rulesFor(policies, podLabels(deployment('api-gateway')), 'Ingress')
    const http = rules.filter((rule) => portsOf(rule, container).includes(port('api-gateway', 'http')))
    expect(http).toHaveLength(1)
    for (const peer of http[0]?.from ?? [{}]) expect(namespaceOf(peer)).toBe('ingress-nginx')
    for (const rule of rules) {
      expect(
        portsOf(rule, container).every((candidate) =>
          [port('api-gateway', 'http'), port('api-gateway', 'metrics')].includes(candidate),
        ),
      ).toBe(true)
    }
  })

  it('lets the gateway call only the two services and DNS', () => {
    const allowed = new Map([
      [port('orders-service', 'http'), podLabels(deployment('orders-service'))],
      [port('payments-service', 'http'), podLabels(deployment('payments-service'))],
    ])
    for (const rule of egressOf('api-gateway')) {
      const ports = portsOf(rule)
      if (ports.every((candidate) => candidate === DNS_PORT)) continue
      expect(ports).toHaveLength(1)
      const target = allowed.get(ports[0])
      expect(target, `egress to port ${ports[0]}`).toBeDefined()
      for (const peer of rule.to ?? [{}]) expect(selects(peer.podSelector as never, target ?? {})).toBe(true)
    }
  })

  it.each(['orders-service', 'payments-service'])('lets %s reach only PostgreSQL, Kafka and DNS', (name) => {
    const ports = egressOf(name).flatMap((rule) => portsOf(rule))
    expect(new Set(ports)).toEqual(new Set([POSTGRES_PORT, KAFKA_PORT, DNS_PORT]))
  })

  it.each(APP_NAMES)('lets %s reach the trace collector exactly where tracing is configured', (name) => {
    const toCollector = rulesFor(policies, podLabels(deployment(name)), 'Egress').filter((rule) =>
      isOtlpRule(rule, otlpEndpoint),
    )
    expect(toCollector.length > 0, `tracing configured: ${otlpEndpoint ?? 'no'}`).toBe(
      otlpEndpoint !== undefined,
    )
  })
})
