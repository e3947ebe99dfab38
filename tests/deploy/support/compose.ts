/**
 * docker-compose.yml as Compose reads it: YAML with merge keys, `${VAR:-default}` interpolation,
 * and the short and long forms of environments, ports, volumes and dependencies.
 */
import type { TObject, TSchema } from 'typebox'
import { parse } from 'yaml'
import { read } from './repository.ts'

export interface ComposeService {
  image?: string
  command?: string | string[]
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, unknown> | string[] }
  environment?: Record<string, string | number | boolean | null> | string[]
  ports?: (string | number | { target?: number; published?: string | number })[]
  expose?: unknown
  volumes?: (string | { type?: string; source?: string; target?: string })[]
  healthcheck?: { test?: string | string[]; disable?: boolean }
  depends_on?: string[] | Record<string, { condition?: string }>
  restart?: string
  network_mode?: string
}
export interface Compose {
  services: Record<string, ComposeService>
  volumes?: Record<string, unknown>
}

export const COMPOSE_FILE = 'docker-compose.yml'
export const compose = parse(read(COMPOSE_FILE), { merge: true }) as Compose
export const services = compose.services

/**
 * Compose's interpolation of `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`,
 * with the given variables (none: what a checkout without .env and an empty shell gets).
 */
export function interpolate(value: string, vars: Record<string, string | undefined> = {}): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?)([-?+])([^}]*))?\}|\$(\w+)/g,
    (match, braced?: string, colon?: string, operator?: string, argument?: string, bare?: string) => {
      if (match === '$$') return '$'
      const name = (braced ?? bare) as string
      const given = vars[name]
      const unset = given === undefined || (colon === ':' && given === '')
      if (operator === '-') return unset ? (argument ?? '') : given
      if (operator === '+') return unset ? '' : (argument ?? '')
      if (operator === '?' && unset) throw new Error(`${name} is required: ${argument}`)
      return given ?? ''
    },
  )
}

/** Names of the variables docker-compose.yml interpolates (comments aside). */
export function interpolatedVariables(text: string): Set<string> {
  const names = new Set<string>()
  const code = text.replace(/^\s*#.*$/gm, '').replaceAll('$$', '')
  for (const match of code.matchAll(/\$\{(\w+)|\$(\w+)/g)) {
    names.add((match[1] ?? match[2]) as string)
  }
  return names
}

/** A `KEY: value` map or `KEY=value` list, interpolated; list items without `=` are left out. */
function keyValues(items: Record<string, unknown> | string[] | undefined): Record<string, string> {
  const entries: [string, unknown][] = Array.isArray(items)
    ? items.map((item) => {
        const [key, ...value] = item.split('=')
        return [key as string, value.length > 0 ? value.join('=') : null]
      })
    : Object.entries(items ?? {})
  return Object.fromEntries(
    entries.filter(([, value]) => value !== null).map(([key, value]) => [key, interpolate(String(value))]),
  )
}

/** A service's environment as its container sees it (list or map form, interpolated). */
export const environmentOf = (name: string) => keyValues(services[name]?.environment)

/** How a service's image is built: context, Dockerfile (relative to the context) and build args. */
export function buildOf(name: string): { context: string; dockerfile: string; args: Record<string, string> } {
  const build = services[name]?.build
  if (build === undefined) throw new Error(`${name} has no build section`)
  if (typeof build === 'string') return { context: build, dockerfile: 'Dockerfile', args: {} }
  return {
    context: build.context ?? '.',
    dockerfile: build.dockerfile ?? 'Dockerfile',
    args: keyValues(build.args),
  }
}

export function dependsOn(name: string): Record<string, string | undefined> {
  const dependencies = services[name]?.depends_on ?? {}
  if (Array.isArray(dependencies)) return Object.fromEntries(dependencies.map((dep) => [dep, undefined]))
  return Object.fromEntries(Object.entries(dependencies).map(([dep, options]) => [dep, options?.condition]))
}

/** The container port of a `ports:` entry in short (`[ip:][host:]container[/proto]`) or long form. */
export function containerPort(entry: string | number | { target?: number }): number {
  if (typeof entry === 'object') return Number(entry.target)
  const spec = interpolate(String(entry)).split('/')[0] as string
  return Number(spec.split(':').at(-1))
}

export function volumeMounts(name: string): { source: string; target: string; named: boolean }[] {
  return (services[name]?.volumes ?? []).map((volume) => {
    const [source = '', target = ''] =
      typeof volume === 'string' ? interpolate(volume).split(':') : [volume.source ?? '', volume.target ?? '']
    const named = source !== '' && !/^[./~]/.test(source)
    return { source, target, named }
  })
}

export function healthcheckCommand(name: string): string {
  const test = services[name]?.healthcheck?.test
  return Array.isArray(test) ? test.join(' ') : (test ?? '')
}

/** Required settings a service cannot boot without: required in the schema, and no default. */
export function requiredWithoutDefault(schema: TObject): string[] {
  const properties = schema.properties as Record<string, TSchema & { default?: unknown }>
  return (schema.required ?? []).filter((key) => properties[key]?.default === undefined)
}
