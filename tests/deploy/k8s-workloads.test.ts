/**
 * How deploy/k8s runs the services' pods: a restricted security context, the probes the services
 * answer, requests and limits, a shutdown that fits the services' own deadline, fixed image tags,
 * and the scaling and availability objects (autoscaler, disruption budget, topology spread) of
 * each service, in every overlay.
 */
import { describe, expect, it } from 'vitest'
import {
  type Container,
  containerOf,
  environmentOf,
  named,
  OVERLAYS,
  ofKind,
  podLabels,
  portNamed,
  type Resource,
  renderOverlays,
  selects,
} from './support/kustomize.ts'
import { APP_NAMES, read } from './support/repository.ts'
import { kubectl } from './support/tools.ts'

/** The services' own shutdown deadline after SIGTERM, as packages/platform/src/runtime.ts says. */
const SHUTDOWN_DEADLINE_S =
  Number(
    /SHUTDOWN_DEADLINE_MS = ([\d_]+)/
      .exec(read('packages/platform/src/runtime.ts'))?.[1]
      ?.replaceAll('_', ''),
  ) / 1000
/** Long enough for the endpoint controller, kube-proxy and ingress controllers to drop a pod. */
const MIN_PRESTOP_PAUSE_S = 5
/** Overlays that run production traffic. */
const PRODUCTION = ['prod', 'operators']

const tool = kubectl('the Kubernetes workload checks')
const overlays = renderOverlays(tool.command)

const quantity = (value: string | number): number => {
  const text = String(value)
  const units: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }
  const [, number = '', unit = ''] = /^([\d.]+)(\w*)$/.exec(text) ?? []
  return Number(number) * (units[unit] ?? 1)
}

describe.skipIf(!tool.command).each(OVERLAYS)('deploy/k8s overlay %s', (overlay) => {
  const resources = overlays[overlay] ?? []
  // Without kubectl there is nothing to read the tests' fixtures from; the suite is skipped anyway.
  if (resources.length === 0) return

  describe.each(APP_NAMES)('%s', (name) => {
    const deployment = named(resources, 'Deployment', name)
    const pod = deployment.spec.template.spec
    const container: Container = containerOf(deployment)
    const env = environmentOf(container, resources)

    it('runs as a non-root user with a read-only root, no privilege escalation, no capabilities and RuntimeDefault seccomp', () => {
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      })
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0)
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      })
      expect(container.securityContext.capabilities.add ?? []).toEqual([])
      expect(container.securityContext.privileged ?? false).toBe(false)
      expect(pod.automountServiceAccountToken).toBe(false)
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC'])
        expect(pod[field] ?? false, field).toBe(false)
    })

    it('mounts a writable emptyDir at /tmp, the only writable path', () => {
      const mount = container.volumeMounts?.find(
        (candidate: { mountPath: string }) => candidate.mountPath === '/tmp',
      )
      const volume = pod.volumes?.find((candidate: { name: string }) => candidate.name === mount?.name)
      expect(volume?.emptyDir).toBeDefined()
      expect(container.volumeMounts).toHaveLength(1)
    })

    it('probes startup and liveness at /health and readiness at /ready, on the service port', () => {
      const httpPort = portNamed(container, 'http')
      expect(String(httpPort)).toBe(env.PORT)
      for (const [probe, path] of [
        ['startupProbe', '/health'],
        ['livenessProbe', '/health'],
        ['readinessProbe', '/ready'],
      ] as const) {
        expect(container[probe]?.httpGet, probe).toEqual({ path, port: 'http' })
      }
      // Migrations run before the service listens, and replicas queue on their lock: give them minutes.
      const startup = container.startupProbe
      expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(120)
    })

    it('requests CPU and memory, and limits both above the requests', () => {
      const { requests, limits } = container.resources ?? {}
      for (const resource of ['cpu', 'memory']) {
        expect(requests?.[resource], `requests.${resource}`).toBeDefined()
        expect(limits?.[resource], `limits.${resource}`).toBeDefined()
        expect(quantity(limits[resource]), resource).toBeGreaterThanOrEqual(quantity(requests[resource]))
      }
    })

    it(`pauses before SIGTERM and leaves the ${SHUTDOWN_DEADLINE_S} s shutdown time to finish`, () => {
      const pause = container.lifecycle?.preStop?.sleep?.seconds
      expect(pause).toBeGreaterThanOrEqual(MIN_PRESTOP_PAUSE_S)
      expect(SHUTDOWN_DEADLINE_S).toBeGreaterThan(0)
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pause + SHUTDOWN_DEADLINE_S)
    })

    it('runs an image by a fixed tag, never latest', () => {
      const [, tag] = /^[^@]+:([\w.-]+)$/.exec(container.image) ?? []
      expect(tag, container.image).toBeDefined()
      expect(tag).not.toBe('latest')
      expect(container.image).toMatch(new RegExp(`/${name}:`))
    })

    it('leaves the replica count to an autoscaler on CPU, with at least two replicas in production', () => {
      expect(deployment.spec.replicas).toBeUndefined()
      const autoscaler = named(resources, 'HorizontalPodAutoscaler', name)
      expect(autoscaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name })
      expect(autoscaler.spec.maxReplicas).toBeGreaterThanOrEqual(autoscaler.spec.minReplicas)
      expect(
        autoscaler.spec.metrics.map((metric: { resource?: { name: string } }) => metric.resource?.name),
      ).toContain('cpu')
      if (PRODUCTION.includes(overlay)) expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2)
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0)
    })

    it('has a disruption budget that lets one pod go at a time and never blocks a drain', () => {
      const budgets = ofKind(resources, 'PodDisruptionBudget').filter((budget) =>
        selects(budget.spec.selector, podLabels(deployment)),
      )
      expect(budgets).toHaveLength(1)
      const [budget] = budgets as [Resource]
      const autoscaler = named(resources, 'HorizontalPodAutoscaler', name)
      if (budget.spec.maxUnavailable !== undefined) expect(budget.spec.maxUnavailable).toBe(1)
      else expect(budget.spec.minAvailable).toBeLessThan(autoscaler.spec.minReplicas)
    })

    it('spreads its replicas over zones and nodes, counting only its own pods', () => {
      const constraints: { topologyKey: string; labelSelector: never; matchLabelKeys?: string[] }[] =
        pod.topologySpreadConstraints ?? []
      expect(constraints.map((constraint) => constraint.topologyKey).sort()).toEqual([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
      ])
      for (const constraint of constraints) {
        expect(selects(constraint.labelSelector, podLabels(deployment))).toBe(true)
        // A selector shared by the three services counts only this one's pods through its name.
        expect(constraint.matchLabelKeys).toContain('app.kubernetes.io/name')
      }
    })
  })

  it("waits for the gateway's readiness longer than the gateway waits for each service's", () => {
    const gateway = containerOf(named(resources, 'Deployment', 'api-gateway'))
    const upstreamTimeoutMs = Number(environmentOf(gateway, resources).UPSTREAM_TIMEOUT_MS)
    // Otherwise a slow service would time the probe out instead of the gateway answering 503.
    expect(gateway.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(upstreamTimeoutMs)
  })

  it('lets the Ingress reach the gateway only', () => {
    const ingresses = ofKind(resources, 'Ingress')
    expect(ingresses).toHaveLength(1)
    const backends = ingresses.flatMap((ingress) =>
      ingress.spec.rules.flatMap((rule: { http: { paths: { backend: { service: unknown } }[] } }) =>
        rule.http.paths.map((path) => path.backend.service),
      ),
    )
    expect(backends).toEqual([{ name: 'api-gateway', port: { name: 'http' } }])
    for (const service of ofKind(resources, 'Service'))
      expect(service.spec.type ?? 'ClusterIP', service.metadata.name).toBe('ClusterIP')
  })

  it('enforces the restricted Pod Security Standard on the shop namespace', () => {
    const namespace = resources.find(
      (resource) =>
        resource.kind === 'Namespace' &&
        resource.metadata.name === named(resources, 'Deployment', 'api-gateway').metadata.namespace,
    )
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted')
  })
})
