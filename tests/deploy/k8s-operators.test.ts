/**
 * The operators overlay: Kafka run by Strimzi in KRaft mode with a node pool and the shop's two
 * topics, PostgreSQL by CloudNativePG, one cluster per service, and the services wired to both.
 * These kinds have no schema package to validate against (k8s-manifests.test.ts), so the fields
 * the deployment relies on are checked here. The partition rule: a topic has at least as many
 * partitions as the service consuming it may run replicas, and TOPIC_PARTITIONS says the same.
 */
import { describe, expect, it } from 'vitest'
import {
  containerOf,
  environmentOf,
  named,
  ofKind,
  podLabels,
  type Resource,
  renderOverlays,
  selects,
} from './support/kustomize.ts'
import { kubectl } from './support/tools.ts'

const tool = kubectl('the operators overlay checks')
const resources = renderOverlays(tool.command).operators ?? []

/** Who consumes each topic, by the setting that names it. */
const CONSUMER_OF = { ORDERS_TOPIC: 'payments-service', PAYMENT_RESULTS_TOPIC: 'orders-service' } as const

describe.skipIf(!tool.command)('deploy/k8s overlay operators', () => {
  const envOf = (name: string) => environmentOf(containerOf(named(resources, 'Deployment', name)), resources)
  const [kafka] = ofKind(resources, 'Kafka') as [Resource]

  it('runs Kafka in KRaft mode: a node pool of controllers and brokers, no ZooKeeper', () => {
    expect(ofKind(resources, 'Kafka')).toHaveLength(1)
    expect(kafka.apiVersion).toBe('kafka.strimzi.io/v1')
    expect(kafka.spec.zookeeper).toBeUndefined()
    const pools = ofKind(resources, 'KafkaNodePool').filter(
      (pool) => pool.metadata.labels?.['strimzi.io/cluster'] === kafka.metadata.name,
    )
    expect(pools.flatMap((pool) => pool.spec.roles).sort()).toEqual(['broker', 'controller'])
    for (const pool of pools) expect(pool.metadata.namespace).toBe(kafka.metadata.namespace)
    const brokers = pools.filter((pool) => pool.spec.roles.includes('broker'))
    const replicas = brokers.reduce((sum, pool) => sum + pool.spec.replicas, 0)
    const config = kafka.spec.kafka.config
    expect(replicas).toBeGreaterThanOrEqual(config['default.replication.factor'])
    expect(config['min.insync.replicas']).toBeLessThan(config['default.replication.factor'])
  })

  it('points the services at the Kafka bootstrap Service of its plain listener', () => {
    const listener = kafka.spec.kafka.listeners.find((candidate: { tls: boolean }) => !candidate.tls)
    const bootstrap = `${kafka.metadata.name}-kafka-bootstrap.${kafka.metadata.namespace}.svc:${listener.port}`
    for (const name of ['orders-service', 'payments-service'])
      expect(envOf(name).KAFKA_BOOTSTRAP_SERVERS).toBe(bootstrap)
  })

  it.each(Object.entries(CONSUMER_OF))(
    'has a KafkaTopic for %s with partitions >= its consumer %s may scale to, and = TOPIC_PARTITIONS',
    (setting, consumer) => {
      const env = envOf(consumer)
      const topics = ofKind(resources, 'KafkaTopic').filter((topic) => topic.spec.topicName === env[setting])
      expect(topics).toHaveLength(1)
      const [topic] = topics as [Resource]
      expect(topic.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name)
      expect(topic.metadata.namespace).toBe(kafka.metadata.namespace)
      const maxReplicas = named(resources, 'HorizontalPodAutoscaler', consumer).spec.maxReplicas
      expect(topic.spec.partitions).toBeGreaterThanOrEqual(maxReplicas)
      expect(topic.spec.partitions).toBe(Number(env.TOPIC_PARTITIONS))
      expect(topic.spec.replicas).toBeGreaterThan(topic.spec.config['min.insync.replicas'])
    },
  )

  it.each(['orders-service', 'payments-service'])(
    'gives %s a CloudNativePG cluster of its own, its URL from the Secret the operator generates',
    (name) => {
      const deployment = named(resources, 'Deployment', name)
      const ref = containerOf(deployment).env?.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom
        ?.secretKeyRef
      const cluster = ofKind(resources, 'Cluster').find(
        (candidate) => `${candidate.metadata.name}-app` === ref?.name,
      )
      expect(cluster?.apiVersion).toBe('postgresql.cnpg.io/v1')
      expect(ref?.key).toBe('uri')
      // A Secret is readable only in its own namespace.
      expect(cluster?.metadata.namespace).toBe(deployment.metadata.namespace)
      expect(cluster?.spec.instances).toBeGreaterThanOrEqual(2)
      expect(cluster?.spec.bootstrap.initdb.database).toBeTruthy()
      // Its egress reaches that cluster's pods and no other database.
      const policy = named(resources, 'NetworkPolicy', name)
      const postgres = policy.spec.egress.find(
        (rule: { ports: { port: number }[] }) => rule.ports[0]?.port === 5432,
      )
      for (const peer of postgres.to) {
        expect(selects(peer.podSelector, { 'cnpg.io/cluster': cluster?.metadata.name as string })).toBe(true)
      }
    },
  )

  it('lets the CloudNativePG pods take connections from the services and the operator', () => {
    const policy = named(resources, 'NetworkPolicy', 'postgres')
    for (const cluster of ofKind(resources, 'Cluster'))
      expect(selects(policy.spec.podSelector, { 'cnpg.io/cluster': cluster.metadata.name })).toBe(true)
    for (const name of ['orders-service', 'payments-service']) {
      const labels = podLabels(named(resources, 'Deployment', name))
      expect(
        policy.spec.ingress.some((rule: { from: { podSelector: never }[] }) =>
          rule.from.some((peer) => peer.podSelector && selects(peer.podSelector, labels)),
        ),
        name,
      ).toBe(true)
    }
  })

  it('scrapes the metrics port of the shop pods through a PodMonitor', () => {
    const [monitor] = ofKind(resources, 'PodMonitor') as [Resource]
    expect(monitor.spec.podMetricsEndpoints.map((endpoint: { port: string }) => endpoint.port)).toEqual([
      'metrics',
    ])
    for (const deployment of ofKind(resources, 'Deployment'))
      expect(selects(monitor.spec.selector, podLabels(deployment))).toBe(true)
  })
})
