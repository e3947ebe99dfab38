/**
 * deploy/k8s as kubectl renders it: every overlay built by kubectl's kustomize, parsed into
 * resources, with helpers that read a Deployment the way the kubelet does (its container, the
 * environment it starts with, its ports).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { ROOT, read } from './repository.ts'

export const K8S_DIR = 'deploy/k8s'
export const OVERLAYS = readdirSync(join(ROOT, K8S_DIR, 'overlays')).sort()
/** The secret that base references by name and never commits, and the example of its keys. */
export const DATABASE_SECRET = 'shop-database'
export const DATABASE_SECRET_EXAMPLE = `${K8S_DIR}/base/database-secret.env.example`
export const INTERNAL_AUTH_SECRET = 'shop-internal-auth'
export const INTERNAL_AUTH_SECRET_EXAMPLE = `${K8S_DIR}/base/internal-auth-secret.env.example`

export interface Resource {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
  // biome-ignore lint/suspicious/noExplicitAny: resources of many kinds, read field by field in the tests
  spec?: any
  data?: Record<string, string>
}

export interface EnvVar {
  name: string
  value?: string
  valueFrom?: {
    secretKeyRef?: { name: string; key: string }
    configMapKeyRef?: { name: string; key: string }
  }
}
export interface Container {
  name: string
  image: string
  ports?: { name?: string; containerPort: number }[]
  env?: EnvVar[]
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]
  // biome-ignore lint/suspicious/noExplicitAny: probes, resources, lifecycle and securityContext, read field by field
  [field: string]: any
}

/** The overlay's output as `kubectl kustomize` prints it. */
export function renderText(overlay: string, kubectl = 'kubectl'): string {
  return execFileSync(kubectl, ['kustomize', join(ROOT, K8S_DIR, 'overlays', overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

export function parseResources(text: string): Resource[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Resource | null)
    .filter((resource): resource is Resource => resource !== null)
}

export const ofKind = (resources: Resource[], kind: string) =>
  resources.filter((resource) => resource.kind === kind)

export function named(resources: Resource[], kind: string, name: string): Resource {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata.name === name)
  if (!found) throw new Error(`no ${kind} ${name}`)
  return found
}

/** A Deployment's one container (every Deployment of the shop runs exactly one). */
export function containerOf(deployment: Resource): Container {
  const containers = deployment.spec.template.spec.containers as Container[]
  if (containers.length !== 1)
    throw new Error(`${deployment.metadata.name} has ${containers.length} containers`)
  return containers[0] as Container
}

export const portNamed = (container: Container, name: string) =>
  container.ports?.find((port) => port.name === name)?.containerPort

/** The key=value lines of an env file (comments and blank lines aside). */
export function envFile(path: string): Record<string, string> {
  return Object.fromEntries(
    read(path)
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
}

/**
 * What a value from a Secret stands for when the environment is checked: the Secret itself is never
 * rendered. Keys of shop-database and shop-internal-auth take their examples' values; CloudNativePG's generated `<cluster>-app`
 * Secrets hold the connection URL under `uri`.
 */
function secretValue(ref: { name: string; key: string }): string | undefined {
  if (ref.name === DATABASE_SECRET) return envFile(DATABASE_SECRET_EXAMPLE)[ref.key]
  if (ref.name === INTERNAL_AUTH_SECRET) return envFile(INTERNAL_AUTH_SECRET_EXAMPLE)[ref.key]
  if (ref.key === 'uri') return `postgresql://app:generated@${ref.name.replace(/-app$/, '-rw')}:5432/app`
  return undefined
}

/**
 * The environment the container starts with (as far as the manifests say: the image's own ENV
 * aside), by variable name; a value from a Secret is its stand-in (see secretValue).
 */
export function environmentOf(
  container: Container,
  resources: Resource[],
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {}
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) throw new Error(`${container.name}: envFrom a Secret hides which variables it sets`)
    const configMap = source.configMapRef
      ? named(resources, 'ConfigMap', source.configMapRef.name)
      : undefined
    Object.assign(env, configMap?.data)
  }
  for (const variable of container.env ?? []) {
    const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {}
    env[variable.name] = secretKeyRef
      ? secretValue(secretKeyRef)
      : configMapKeyRef
        ? named(resources, 'ConfigMap', configMapKeyRef.name).data?.[configMapKeyRef.key]
        : variable.value
  }
  return env
}

/**
 * Every overlay rendered, or none when kubectl is missing (the tests then say they were skipped;
 * in CI that is a failure).
 */
export function renderOverlays(command: string | undefined): Record<string, Resource[]> {
  if (command === undefined) return {}
  return Object.fromEntries(
    OVERLAYS.map((overlay) => [overlay, parseResources(renderText(overlay, command))]),
  )
}

/** The labels a Deployment gives its pods. */
export const podLabels = (deployment: Resource): Record<string, string> =>
  deployment.spec.template.metadata.labels

interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: { key: string; operator: string; values?: string[] }[]
}

/** Whether a label selector selects these labels (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value)
  const byExpressions = (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return values.includes(labels[key] as string)
    if (operator === 'NotIn') return !values.includes(labels[key] as string)
    if (operator === 'Exists') return key in labels
    return !(key in labels)
  })
  return byLabels && byExpressions
}
