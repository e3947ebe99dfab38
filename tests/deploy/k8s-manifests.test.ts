/**
 * deploy/k8s renders and is valid: kubectl's kustomize builds every overlay, and every resource
 * validates strictly (an unknown or misspelt field is an error) against the Kubernetes schemas of
 * the oldest and the newest version kubernetes-validate knows of those we support. Custom
 * resources are validated against their CRD's schema where a registry package ships it: the
 * Prometheus Operator's (npm @kubernetes-models/prometheus-operator). Strimzi's and
 * CloudNativePG's CRDs are in no npm or PyPI package (nor in Strimzi's Maven jars), so those kinds
 * are skipped here, by name; k8s-operators.test.ts checks the fields this deployment relies on.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor'
import { afterAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import {
  DATABASE_SECRET_EXAMPLE,
  INTERNAL_AUTH_SECRET_EXAMPLE,
  OVERLAYS,
  renderOverlays,
} from './support/kustomize.ts'
import { exists } from './support/repository.ts'
import { kubectl, kubernetesValidatePython } from './support/tools.ts'

const KUBERNETES_VERSIONS = ['1.33.0', '1.37.0']
/** Custom resources whose CRD schemas no registry package ships. */
const WITHOUT_SCHEMA = new Set([
  'kafka.strimzi.io/v1 Kafka',
  'kafka.strimzi.io/v1 KafkaNodePool',
  'kafka.strimzi.io/v1 KafkaTopic',
  'postgresql.cnpg.io/v1 Cluster',
])
const VALIDATORS: Record<string, (resource: object) => void> = {
  'monitoring.coreos.com/v1 PodMonitor': (resource) => new PodMonitor(resource as PodMonitor).validate(),
}

const what = 'the Kubernetes manifest checks'
const kubectlTool = kubectl(what)
const python = kubectlTool.command ? kubernetesValidatePython(what) : {}
const overlays = renderOverlays(kubectlTool.command)
const work = mkdtempSync(join(tmpdir(), 'shop-k8s-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

interface Outcome {
  resource: string
  outcome: 'valid' | 'invalid' | 'no_schema'
  error?: string
}

describe.skipIf(!kubectlTool.command || !python.command)('deploy/k8s', () => {
  it('has a dev, a prod and an operators overlay, and kubectl kustomize renders each', () => {
    expect(OVERLAYS).toEqual(expect.arrayContaining(['dev', 'operators', 'prod']))
    for (const overlay of OVERLAYS) {
      const kinds = new Set(overlays[overlay]?.map((resource) => resource.kind))
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'Ingress'])
        expect(kinds, `${overlay}: ${kind}`).toContain(kind)
    }
  })

  it('renders no Secret: secrets are referenced by name, and only their example is committed', () => {
    for (const overlay of OVERLAYS) {
      expect(
        overlays[overlay]?.filter((resource) => resource.kind === 'Secret'),
        overlay,
      ).toEqual([])
    }
    expect(exists(DATABASE_SECRET_EXAMPLE)).toBe(true)
    expect(exists(INTERNAL_AUTH_SECRET_EXAMPLE)).toBe(true)
  })

  it('puts every namespaced resource in a namespace the overlay sets', () => {
    for (const overlay of OVERLAYS) {
      for (const resource of overlays[overlay] ?? []) {
        if (resource.kind === 'Namespace') continue
        expect(
          resource.metadata.namespace,
          `${overlay}: ${resource.kind}/${resource.metadata.name}`,
        ).toBeTruthy()
      }
    }
  })

  describe.each(OVERLAYS)('overlay %s', (overlay) => {
    it.each(KUBERNETES_VERSIONS)(
      'validates strictly against the Kubernetes %s schemas',
      (version) => {
        const file = join(work, `${overlay}-${version}.yaml`)
        writeFileSync(file, (overlays[overlay] ?? []).map((resource) => stringify(resource)).join('---\n'))
        const outcomes = JSON.parse(
          execFileSync(
            python.command as string,
            [join(import.meta.dirname, 'support', 'validate_manifests.py'), version, file],
            {
              encoding: 'utf8',
            },
          ),
        ) as Outcome[]
        expect(outcomes).toHaveLength(overlays[overlay]?.length ?? 0)
        expect(outcomes.filter((outcome) => outcome.outcome === 'invalid')).toEqual([])
        const custom = (overlays[overlay] ?? []).filter(
          (_, index) => outcomes[index]?.outcome === 'no_schema',
        )
        for (const resource of custom) {
          const kind = `${resource.apiVersion} ${resource.kind}`
          expect(WITHOUT_SCHEMA.has(kind) || kind in VALIDATORS, `no schema for ${kind}`).toBe(true)
        }
      },
      60_000,
    )

    it('validates its custom resources against their CRD schemas where a package ships them', () => {
      for (const resource of overlays[overlay] ?? []) {
        const validate = VALIDATORS[`${resource.apiVersion} ${resource.kind}`]
        expect(() => validate?.(resource), `${resource.kind}/${resource.metadata.name}`).not.toThrow()
      }
    })
  })
})
