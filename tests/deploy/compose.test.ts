/**
 * The container deployment, checked without a Docker engine (none runs where the tests do):
 * docker-compose.yml against the services' config schemas, each Dockerfile against the files it
 * copies, and each package's imports against what a production install of its service contains.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { basename, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '@shop/platform'
import type { TObject, TSchema } from 'typebox'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { GatewayConfig } from '../../services/api-gateway/src/config.ts'
import { OrdersConfig } from '../../services/orders-service/src/config.ts'
import { PaymentsConfig } from '../../services/payments-service/src/config.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
const exists = (path: string) => existsSync(join(ROOT, path))
const isDirectory = (path: string) => exists(path) && statSync(join(ROOT, path)).isDirectory()

/** The services built from this repository, with the config schema each one validates at boot. */
const APP_SERVICES: Record<string, TObject> = {
  'api-gateway': GatewayConfig,
  'orders-service': OrdersConfig,
  'payments-service': PaymentsConfig,
}
const APP_NAMES = Object.keys(APP_SERVICES)
/** What each service needs healthy before it starts. */
const DEPENDENCIES: Record<string, string[]> = {
  'orders-service': ['postgres', 'kafka'],
  'payments-service': ['postgres', 'kafka'],
  'api-gateway': ['orders-service', 'payments-service'],
}
const PUBLIC_SERVICE = 'api-gateway'
const PUBLIC_PORT = 8000

// ---------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------

interface ComposeService {
  image?: string
  build?: string | { context?: string; dockerfile?: string }
  environment?: Record<string, string | number | boolean | null> | string[]
  ports?: (string | number | { target?: number; published?: string | number })[]
  expose?: unknown
  volumes?: (string | { type?: string; source?: string; target?: string })[]
  healthcheck?: { test?: string | string[]; disable?: boolean }
  depends_on?: string[] | Record<string, { condition?: string }>
  restart?: string
  network_mode?: string
}
interface Compose {
  services: Record<string, ComposeService>
  volumes?: Record<string, unknown>
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose
const services = compose.services

/**
 * Compose's interpolation of `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`,
 * with the given variables (none: what a checkout without .env and an empty shell gets).
 */
function interpolate(value: string, vars: Record<string, string | undefined> = {}): string {
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
function interpolatedVariables(text: string): Set<string> {
  const names = new Set<string>()
  const code = text.replace(/^\s*#.*$/gm, '').replaceAll('$$', '')
  for (const match of code.matchAll(/\$\{(\w+)|\$(\w+)/g)) {
    names.add((match[1] ?? match[2]) as string)
  }
  return names
}

/** A service's environment as its container sees it (list or map form, interpolated). */
function environmentOf(name: string): Record<string, string> {
  const environment = services[name]?.environment ?? {}
  const entries: [string, unknown][] = Array.isArray(environment)
    ? environment.map((item) => {
        const [key, ...value] = item.split('=')
        return [key as string, value.length > 0 ? value.join('=') : null]
      })
    : Object.entries(environment)
  return Object.fromEntries(
    entries.filter(([, value]) => value !== null).map(([key, value]) => [key, interpolate(String(value))]),
  )
}

function dependsOn(name: string): Record<string, string | undefined> {
  const dependencies = services[name]?.depends_on ?? {}
  if (Array.isArray(dependencies)) return Object.fromEntries(dependencies.map((dep) => [dep, undefined]))
  return Object.fromEntries(Object.entries(dependencies).map(([dep, options]) => [dep, options?.condition]))
}

/** The container port of a `ports:` entry in short (`[ip:][host:]container[/proto]`) or long form. */
function containerPort(entry: string | number | { target?: number }): number {
  if (typeof entry === 'object') return Number(entry.target)
  const spec = interpolate(String(entry)).split('/')[0] as string
  return Number(spec.split(':').at(-1))
}

function volumeMounts(name: string): { source: string; target: string; named: boolean }[] {
  return (services[name]?.volumes ?? []).map((volume) => {
    const [source = '', target = ''] =
      typeof volume === 'string' ? interpolate(volume).split(':') : [volume.source ?? '', volume.target ?? '']
    const named = source !== '' && !/^[./~]/.test(source)
    return { source, target, named }
  })
}

function healthcheckCommand(name: string): string {
  const test = services[name]?.healthcheck?.test
  return Array.isArray(test) ? test.join(' ') : (test ?? '')
}

/** Required settings a service cannot boot without: required in the schema, and no default. */
function requiredWithoutDefault(schema: TObject): string[] {
  const properties = schema.properties as Record<string, TSchema & { default?: unknown }>
  return (schema.required ?? []).filter((key) => properties[key]?.default === undefined)
}

describe('docker-compose.yml', () => {
  it('runs Kafka, PostgreSQL and the three services, and no ZooKeeper', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api-gateway', 'kafka', 'orders-service', 'payments-service', 'postgres'].sort(),
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

  it(`publishes only the gateway's port ${PUBLIC_PORT}`, () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === PUBLIC_SERVICE) continue
      expect(service.ports ?? [], name).toEqual([])
      expect(service.network_mode, name).toBeUndefined()
    }
    const ports = services[PUBLIC_SERVICE]?.ports ?? []
    expect(ports.map(containerPort)).toEqual([PUBLIC_PORT])
    expect(environmentOf(PUBLIC_SERVICE).PORT).toBe(String(PUBLIC_PORT))
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

  it('builds each service from its Dockerfile with the repository root as context', () => {
    for (const name of APP_NAMES) {
      const build = services[name]?.build
      expect(typeof build, name).toBe('object')
      const { context, dockerfile } = build as { context?: string; dockerfile?: string }
      expect(posix.normalize(context ?? ''), name).toBe('.')
      expect(dockerfile, name).toBe(`services/${name}/Dockerfile`)
      expect(exists(dockerfile as string), name).toBe(true)
    }
  })

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
    const missing = [...interpolatedVariables(read('docker-compose.yml'))].filter(
      (name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(documented),
    )
    expect(missing).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// Dockerfiles
// ---------------------------------------------------------------------------------------------

interface Instruction {
  keyword: string
  /** `--name=value` options before the arguments. */
  flags: Record<string, string>
  args: string
  line: number
}
interface Stage {
  image: string
  name?: string
  instructions: Instruction[]
}

/** A Dockerfile's instructions by stage: comments dropped, continuation lines joined. */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = []
  let pending = ''
  let startLine = 0
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd()
    if (/^\s*#/.test(line) || (pending === '' && line.trim() === '')) return
    if (pending === '') startLine = index + 1
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `
      return
    }
    const full = (pending + line).trim()
    pending = ''
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/s.exec(full) ?? []
    const flags: Record<string, string> = {}
    let args = rest
    for (
      let flag = /^--([\w-]+)(?:=(\S*))?\s+/.exec(args);
      flag;
      flag = /^--([\w-]+)(?:=(\S*))?\s+/.exec(args)
    ) {
      flags[flag[1] as string] = flag[2] ?? ''
      args = args.slice(flag[0].length)
    }
    instructions.push({ keyword: keyword.toUpperCase(), flags, args: args.trim(), line: startLine })
  })
  const stages: Stage[] = []
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/)
      stages.push({ image, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}

/** Exec form (`["a", "b"]`) or the words of the shell form. */
function words(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter(Boolean)
}

function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { args } of stage.instructions.filter((instruction) => instruction.keyword === 'ENV')) {
    for (const match of args.matchAll(/(\w+)=(?:"([^"]*)"|'([^']*)'|(\S*))/g)) {
      env[match[1] as string] = match[2] ?? match[3] ?? match[4] ?? ''
    }
  }
  return env
}

function workdirOf(stage: Stage): string {
  return stage.instructions.filter((instruction) => instruction.keyword === 'WORKDIR').at(-1)?.args ?? '/'
}

interface Copy {
  from?: string
  sources: string[]
  destination: string
}
function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY' || instruction.keyword === 'ADD')
    .map((instruction) => {
      const parts = words(instruction.args)
      const destination = parts.pop() as string
      return {
        ...(instruction.flags.from ? { from: instruction.flags.from } : {}),
        sources: parts,
        destination,
      }
    })
}

/** Where a COPY from the context puts a source, relative to WORKDIR (directories: their content). */
function copiedTo(source: string, destination: string): string {
  if (isDirectory(source) || !/\/$|^\.$/.test(destination))
    return posix.normalize(destination).replace(/\/$/, '')
  return posix.normalize(posix.join(destination, basename(source)))
}

/** .dockerignore as Docker applies it: patterns from the context root, `**`, and `!` exceptions. */
function dockerignore(): (path: string) => boolean {
  const rules = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!')
      const pattern = posix.normalize(line.slice(negated ? 1 : 0).replace(/^\/+/, '')).replace(/\/+$/, '')
      const source = pattern
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => {
          if (part === '**/') return '(?:.*/)?'
          if (part === '**') return '.*'
          if (part === '*') return '[^/]*'
          if (part === '?') return '[^/]'
          return part.replace(/[.+^${}()|[\]\\]/g, '\\$&')
        })
        .join('')
      return { negated, regex: new RegExp(`^${source}$`) }
    })
  return (path) => {
    const segments = posix.normalize(path).split('/')
    // A path is left out when it or a folder above it matches; the last matching rule wins.
    const prefixes = segments.map((_, index) => segments.slice(0, index + 1).join('/'))
    let excluded = false
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = !rule.negated
    }
    return excluded
  }
}

function filesUnder(path: string): string[] {
  if (!isDirectory(path)) return [path]
  return readdirSync(join(ROOT, path)).flatMap((entry) =>
    entry === 'node_modules' ? [] : filesUnder(posix.join(path, entry)),
  )
}

interface Workspace {
  name: string
  dir: string
  manifest: {
    name: string
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
  }
}
const rootManifest = JSON.parse(read('package.json')) as {
  workspaces: string[]
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}
const workspaces = new Map<string, Workspace>(
  rootManifest.workspaces
    .flatMap((pattern) => {
      const parent = pattern.replace(/\/\*$/, '')
      return readdirSync(join(ROOT, parent)).map((entry) => posix.join(parent, entry))
    })
    .filter((dir) => exists(`${dir}/package.json`))
    .map((dir) => {
      const manifest = JSON.parse(read(`${dir}/package.json`)) as Workspace['manifest']
      return [manifest.name, { name: manifest.name, dir, manifest }]
    }),
)
const workspaceByDir = (dir: string) => [...workspaces.values()].find((workspace) => workspace.dir === dir)

/** A workspace and the workspaces it depends on, through production dependencies. */
function workspaceClosure(dir: string): Workspace[] {
  const seen = new Map<string, Workspace>()
  const visit = (workspace: Workspace | undefined) => {
    if (!workspace || seen.has(workspace.name)) return
    seen.set(workspace.name, workspace)
    for (const dependency of Object.keys(workspace.manifest.dependencies ?? {}))
      visit(workspaces.get(dependency))
  }
  visit(workspaceByDir(dir))
  return [...seen.values()]
}

const ignored = dockerignore()

describe('.dockerignore', () => {
  it('keeps installed modules, local state, secrets and tests out of the build context', () => {
    for (const path of [
      'node_modules/fastify/package.json',
      'packages/platform/node_modules/x/index.js',
      '.git/HEAD',
      '.env',
      '.env.local',
      '.data/postgres/PG_VERSION',
      '.cache/kafka/x.jar',
      'coverage/index.html',
      'tests/e2e/shop-flows.ts',
      'services/orders-service/test/place-order.test.ts',
    ]) {
      expect(ignored(path), path).toBe(true)
    }
  })
})

describe.each(APP_NAMES)('services/%s/Dockerfile', (name) => {
  const dockerfile = `services/${name}/Dockerfile`
  const stages = parseDockerfile(read(dockerfile))
  const final = stages.at(-1) as Stage
  const serviceDir = `services/${name}`
  const closure = workspaceClosure(serviceDir)
  const all = (keyword: string, stage = final) =>
    stage.instructions.filter((instruction) => instruction.keyword === keyword)

  it('builds on the Node 24 slim image in every stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2) // install apart from what runs
    const stageNames = new Set(stages.map((stage) => stage.name))
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue
      expect(stage.image).toMatch(/^node:24(\.\d+){0,2}-(bookworm-|trixie-)?slim(@sha256:[0-9a-f]{64})?$/)
    }
  })

  it('installs only production dependencies, of this workspace, from the lock file', () => {
    const installs = stages.flatMap((stage) =>
      all('RUN', stage)
        .filter((run) => /\bnpm\s+(ci|install|i)\b/.test(run.args))
        .map((run) => ({ stage, run })),
    )
    expect(installs.length).toBeGreaterThan(0)
    for (const { stage, run } of installs) {
      expect(run.args).toMatch(/\bnpm\s+ci\b/)
      expect(run.args).toMatch(/--omit[= ]dev\b/)
      expect(run.args).toMatch(new RegExp(`(--workspace[= ]|-w )${serviceDir}\\b`))
      // npm ci needs the lock file and every manifest of the closure, so the @shop/* links exist.
      const copied = copiesOf(stage).flatMap((copy) =>
        copy.sources.map((source) => copiedTo(source, copy.destination)),
      )
      expect(copied).toContain('package-lock.json')
      expect(copied).toContain('package.json')
      for (const workspace of closure)
        expect(copied, workspace.dir).toContain(`${workspace.dir}/package.json`)
    }
    // --omit=dev drops the root's dev dependencies, among them `node`, the Node binary package.
    expect(Object.keys(rootManifest.dependencies ?? {})).not.toContain('node')
    expect(Object.keys(rootManifest.devDependencies ?? {})).toContain('node')
    for (const workspace of closure)
      expect(Object.keys(workspace.manifest.dependencies ?? {})).not.toContain('node')
  })

  it('copies only files that exist and are in the build context, each to its repository path', () => {
    for (const stage of stages) {
      for (const copy of copiesOf(stage)) {
        if (copy.from !== undefined) {
          expect(stages.map((candidate) => candidate.name)).toContain(copy.from)
          continue
        }
        for (const source of copy.sources) {
          expect(exists(source), source).toBe(true)
          expect(
            filesUnder(source).filter((file) => ignored(file)),
            `${source} left out by .dockerignore`,
          ).toEqual([])
          // The @shop/* links in node_modules and the services' own relative paths (migrations)
          // only hold when the repository's layout is kept.
          expect(copiedTo(source, copy.destination), `COPY ${source} ${copy.destination}`).toBe(
            posix.normalize(source),
          )
        }
      }
    }
  })

  it('ships the installed node_modules and the sources and migrations of every workspace it uses', () => {
    const modules = copiesOf(final).filter((copy) => copy.from !== undefined)
    expect(modules).toHaveLength(1)
    const deps = stages.find((stage) => stage.name === modules[0]?.from) as Stage
    expect(modules[0]?.sources).toEqual([posix.join(workdirOf(deps), 'node_modules')])
    expect(posix.resolve(workdirOf(final), modules[0]?.destination ?? '')).toBe(
      posix.join(workdirOf(final), 'node_modules'),
    )
    const shipped = copiesOf(final)
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources)
      .map((source) => posix.normalize(source))
    const covered = (path: string) =>
      shipped.some((source) => path === source || path.startsWith(`${source}/`))
    expect(covered('package.json')).toBe(true)
    for (const workspace of closure) {
      expect(covered(`${workspace.dir}/package.json`), workspace.dir).toBe(true)
      // Every file of src (the embedded transport's migrations included) and the migrations.
      for (const file of [
        ...filesUnder(`${workspace.dir}/src`),
        ...filesUnder(`${workspace.dir}/migrations`),
      ]) {
        if (exists(file)) expect(covered(file), file).toBe(true)
      }
    }
    // Nothing the service does not run: no tests, no other service.
    for (const source of shipped) {
      expect(source).not.toMatch(/(^|\/)(tests?|node_modules)(\/|$)/)
      const owner = source.split('/').slice(0, 2).join('/')
      if (workspaceByDir(owner)) expect(closure.map((workspace) => workspace.dir)).toContain(owner)
    }
  })

  it('runs the service with Node as the unprivileged node user', () => {
    const [command, ...args] = words(all('CMD').at(-1)?.args ?? '[]')
    expect(command).toBe('node')
    expect(args).toEqual([`${serviceDir}/src/server.ts`])
    expect(exists(args[0] as string)).toBe(true)
    expect(all('ENTRYPOINT')).toEqual([])
    const user = all('USER').at(-1)?.args.split(':')[0]
    expect(['node', '1000']).toContain(user)
  })

  it('listens on all interfaces in production mode, on the port it exposes', () => {
    const env = envOf(final)
    expect(env.NODE_ENV).toBe('production')
    expect(env.HOST).toBe('0.0.0.0')
    const exposed = all('EXPOSE').flatMap((expose) =>
      expose.args.split(/\s+/).map((port) => port.split('/')[0]),
    )
    expect(exposed).toEqual([exposedPort(name)])
    const defaultPort = (APP_SERVICES[name]?.properties.PORT as { default?: number } | undefined)?.default
    expect(exposed).toEqual([String(defaultPort)])
    if (env.PORT !== undefined) expect(env.PORT).toBe(exposed[0])
  })

  it("checks its health on /health with Node's fetch", () => {
    const healthchecks = all('HEALTHCHECK')
    expect(healthchecks).toHaveLength(1)
    const [keyword, ...rest] = (healthchecks[0]?.args ?? '').split(/\s+/)
    expect(keyword).toBe('CMD')
    const command = words(rest.join(' '))
    expect(command[0]).toBe('node')
    expect(command.join(' ')).toMatch(/fetch\(.*\/health/)
  })
})

/** The port a service's image exposes, which compose must set as its PORT. */
function exposedPort(name: string): string {
  const stages = parseDockerfile(read(`services/${name}/Dockerfile`))
  const expose = stages.at(-1)?.instructions.find((instruction) => instruction.keyword === 'EXPOSE')
  return expose?.args.split(/[\s/]/)[0] ?? ''
}

// ---------------------------------------------------------------------------------------------
// Production dependencies
// ---------------------------------------------------------------------------------------------

const BUILTINS = new Set(builtinModules)

/** Packages the module loads at run time: bare specifiers of non-type-only imports and exports. */
function runtimeImports(source: string): Set<string> {
  const statements =
    /(?:^|[;\n])\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g
  const names = new Set<string>()
  for (const match of source.matchAll(statements)) {
    if (match[2]) continue // `import type` / `export type`: erased before Node runs the file
    const specifier = (match[3] ?? match[4] ?? match[5]) as string
    if (/^(\.|\/|node:|#)/.test(specifier)) continue
    const parts = specifier.split('/')
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string)
    if (!BUILTINS.has(name)) names.add(name)
  }
  return names
}

function sourceImports(workspace: Workspace): Set<string> {
  const files = filesUnder(`${workspace.dir}/src`).filter((file) => /\.[cm]?[jt]s$/.test(file))
  return new Set(files.flatMap((file) => [...runtimeImports(read(file))]))
}

interface LockEntry {
  version?: string
  link?: boolean
  resolved?: string
  dev?: boolean
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, LockEntry> }

/** Node's lookup of `name` from the lock's location `from` (a workspace dir or a node_modules path). */
function resolveInLock(from: string, name: string): string | undefined {
  let base = from
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`
    const entry = lock.packages[candidate]
    if (entry) return entry.link && entry.resolved ? entry.resolved : candidate
    if (base === '') return undefined
    const parent = base.lastIndexOf('/node_modules/')
    base = parent >= 0 ? base.slice(0, parent) : ''
  }
}

/** Lock locations `npm ci --omit=dev --workspace=<dir>` installs: the workspace's production closure. */
function productionInstall(dir: string): Set<string> {
  const installed = new Set<string>()
  const visit = (location: string) => {
    if (installed.has(location)) return
    installed.add(location)
    const entry = lock.packages[location] ?? {}
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([peer]) => peer)
    const required = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((peer) => !optionalPeers.includes(peer)),
    ]
    for (const dependency of required) {
      const resolved = resolveInLock(location, dependency)
      if (resolved === undefined) throw new Error(`${location}: ${dependency} is not in package-lock.json`)
      visit(resolved)
    }
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
      const resolved = resolveInLock(location, dependency)
      if (resolved !== undefined) visit(resolved)
    }
  }
  visit(dir)
  return installed
}

describe('production dependencies', () => {
  it.each([...workspaces.values()].map((workspace) => [workspace.name, workspace] as const))(
    '%s declares every package its sources import',
    (_, workspace) => {
      const declared = new Set([workspace.name, ...Object.keys(workspace.manifest.dependencies ?? {})])
      const undeclared = [...sourceImports(workspace)].filter((name) => !declared.has(name)).sort()
      expect(undeclared).toEqual([])
    },
  )

  describe.each(APP_NAMES)('%s', (name) => {
    const closure = workspaceClosure(`services/${name}`)

    it("matches package-lock.json, so that the image's npm ci accepts it", () => {
      for (const workspace of closure) {
        expect(lock.packages[workspace.dir]?.dependencies ?? {}, workspace.dir).toEqual(
          workspace.manifest.dependencies ?? {},
        )
        expect(lock.packages[`node_modules/${workspace.name}`], workspace.name).toMatchObject({
          link: true,
          resolved: workspace.dir,
        })
      }
    })

    it('gets every package it imports, and no dev-only one, from a production install', () => {
      const installed = productionInstall(`services/${name}`)
      for (const workspace of closure) {
        for (const imported of sourceImports(workspace)) {
          const location = resolveInLock(workspace.dir, imported)
          expect(location, `${workspace.name} imports ${imported}`).toBeDefined()
          expect(installed.has(location as string), `${workspace.name} imports ${imported}`).toBe(true)
        }
      }
      expect([...installed].filter((location) => lock.packages[location]?.dev)).toEqual([])
      expect(installed.has('node_modules/node')).toBe(false)
    })
  })
})
