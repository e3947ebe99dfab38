/**
 * The image of each service: the one Dockerfile at the repository root, read with the build args
 * compose gives that service (build.test.ts) the way BuildKit would, then checked against the files
 * it copies, the workspaces the service uses and what the container runs. No Docker engine runs
 * where the tests do, so this is what stands in for `docker build`.
 */
import { posix } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SERVICE_NODE_OPTIONS } from '../../scripts/lib/launcher/service-process.ts'
import { STOREFRONT_DIST } from '../../services/api-gateway/src/http/storefront.ts'
import {
  copiedTo,
  copiesOf,
  instructionsOf,
  pidOneCommand,
  type Stage,
  words,
  workdirOf,
} from './support/dockerfile.ts'
import { dockerignore, imageOf, shippedFiles } from './support/image.ts'
import {
  APP_NAMES,
  APP_SERVICES,
  exists,
  filesUnder,
  ROOT,
  rootManifest,
  workspaceByDir,
  workspaceClosure,
} from './support/repository.ts'

const ignored = dockerignore()
const STOREFRONT_DIR = 'apps/storefront'

describe.each(APP_NAMES)('Dockerfile built for %s', (name) => {
  const { stages, final, buildArgs } = imageOf(name)
  const serviceDir = `services/${name}`
  const closure = workspaceClosure(serviceDir)
  const all = (keyword: string, stage = final) => instructionsOf(stage, keyword)

  it('declares every build arg in each stage that uses it', () => {
    // An ARG ends at the end of its stage: used in the next one undeclared, it is silently empty.
    const undeclared = stages.flatMap((stage) =>
      stage.instructions.flatMap(({ keyword, line, unset }) =>
        unset.map((arg) => `${line} ${keyword}: $${arg}`),
      ),
    )
    expect(undeclared).toEqual([])
  })

  it('builds on the Node 24 slim image in every stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2) // install apart from what runs
    const stageNames = new Set(stages.map((stage) => stage.name))
    for (const stage of stages) {
      if (stageNames.has(stage.image)) continue
      expect(stage.image).toMatch(/^node:24(\.\d+){0,2}-(bookworm-|trixie-)?slim(@sha256:[0-9a-f]{64})?$/)
    }
  })

  const installs = stages.flatMap((stage) =>
    all('RUN', stage)
      .filter((run) => /\bnpm\s+(ci|install|i)\b/.test(run.args))
      .map((run) => ({ stage, run })),
  )
  // The storefront's build stage installs its dev dependencies (Vite); only built files leave it.
  const buildsStorefront = ({ run }: (typeof installs)[number]) =>
    new RegExp(`(--workspace[= ]|-w )${STOREFRONT_DIR}(\\s|;|$)`).test(run.args)

  it('installs only production dependencies, of this workspace, from the lock file', () => {
    const serviceInstalls = installs.filter((install) => !buildsStorefront(install))
    expect(serviceInstalls.length).toBeGreaterThan(0)
    for (const { stage, run } of serviceInstalls) {
      expect(run.args).toMatch(/\bnpm\s+ci\b/)
      expect(run.args).toMatch(/--omit[= ]dev\b/)
      expect(run.args).toMatch(new RegExp(`(--workspace[= ]|-w )${serviceDir}(\\s|$)`))
      // Not the root's dependencies, and no install scripts run as root in the build.
      expect(run.args).toMatch(/--include-workspace-root[= ]false\b/)
      expect(run.args).toMatch(/--ignore-scripts\b/)
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
          // What .dockerignore leaves out is not in the context: COPY of it fails.
          expect(ignored(source), `${source} left out by .dockerignore`).toBe(false)
          // The @shop/* links in node_modules and the services' own relative paths (migrations)
          // only hold when the repository's layout is kept.
          expect(copiedTo(source, copy.destination), `COPY ${source} ${copy.destination}`).toBe(
            posix.normalize(source),
          )
        }
      }
    }
  })

  it('installs the storefront to build it from the lock file, without running install scripts', () => {
    expect(installs.filter(buildsStorefront)).toHaveLength(1)
    for (const { stage, run } of installs.filter(buildsStorefront)) {
      expect(run.args).toMatch(/\bnpm\s+ci\b/)
      expect(run.args).toMatch(/--include-workspace-root[= ]false\b/)
      expect(run.args).toMatch(/--ignore-scripts\b/)
      const copied = copiesOf(stage).flatMap((copy) =>
        copy.sources.map((source) => copiedTo(source, copy.destination)),
      )
      expect(copied).toEqual(expect.arrayContaining(['package-lock.json', 'package.json']))
      expect(copied).toContain(`${STOREFRONT_DIR}/package.json`)
      // What that stage installed never reaches the image: only its build does (checked below).
      expect(
        copiesOf(final).filter(
          (copy) => copy.from === stage.name && copy.sources.some((s) => /node_modules/.test(s)),
        ),
      ).toEqual([])
    }
  })

  it('ships the installed node_modules and the sources and migrations of every workspace it uses', () => {
    const modules = copiesOf(final).filter(
      (copy) =>
        copy.from !== undefined && copy.sources.every((source) => posix.basename(source) === 'node_modules'),
    )
    expect(modules).toHaveLength(1)
    const deps = stages.find((stage) => stage.name === modules[0]?.from) as Stage
    expect(modules[0]?.sources).toEqual([posix.join(workdirOf(deps), 'node_modules')])
    expect(posix.resolve(workdirOf(final), modules[0]?.destination ?? '')).toBe(
      posix.join(workdirOf(final), 'node_modules'),
    )
    // What reaches the image: the files under each COPY source that .dockerignore lets through.
    const shipped = new Set(shippedFiles(final, ignored))
    expect(shipped.has('package.json')).toBe(true)
    for (const workspace of closure) {
      expect(shipped.has(`${workspace.dir}/package.json`), workspace.dir).toBe(true)
      // Every file of src (the embedded transport's migrations included) and the migrations.
      for (const file of [
        ...filesUnder(`${workspace.dir}/src`),
        ...filesUnder(`${workspace.dir}/migrations`),
      ]) {
        if (exists(file)) expect(shipped.has(file), file).toBe(true)
      }
    }
    // Nothing the service does not run: no tests, no installed modules, no other service.
    for (const file of shipped) {
      expect(file).not.toMatch(/(^|\/)(tests?|node_modules)(\/|$)/)
      const owner = file.split('/').slice(0, 2).join('/')
      if (workspaceByDir(owner)) expect(closure.map((workspace) => workspace.dir)).toContain(owner)
    }
  })

  it('ships the storefront built in its own stage where the gateway serves it from, and nothing else of that stage', () => {
    const built = copiesOf(final).filter(
      (copy) =>
        copy.from !== undefined && !copy.sources.every((source) => posix.basename(source) === 'node_modules'),
    )
    const served = posix.relative(ROOT.replaceAll('\\', '/'), STOREFRONT_DIST.replaceAll('\\', '/'))
    expect(served).toBe(`${STOREFRONT_DIR}/dist`)
    expect(built).toHaveLength(1)
    const stage = stages.find((candidate) => candidate.name === built[0]?.from) as Stage
    expect(built[0]?.sources).toEqual([posix.join(workdirOf(stage), served)])
    expect(posix.resolve(workdirOf(final), built[0]?.destination ?? '')).toBe(
      posix.join(workdirOf(final), served),
    )
    // The stage builds it with the workspace's own script (vite build), for the gateway's image.
    const build = all('RUN', stage).find((run) => /\bnpm\s+run\s+build\b/.test(run.args))
    expect(build?.args).toMatch(new RegExp(`--workspace[= ]${STOREFRONT_DIR}\\b`))
    // Only when SERVICE (expanded here to this image's) is the gateway; the others ship the empty folder.
    expect(/\[\s*"?([\w-]+)"?\s*=\s*"?api-gateway"?\s*\]/.exec(build?.args ?? '')?.[1]).toBe(name)
    expect(build?.args).toMatch(new RegExp(`mkdir -p ${served}`))
  })

  it('runs its server.ts with Node as PID 1, so that SIGTERM reaches it, as the unprivileged node user', () => {
    // A shell left as PID 1 does not pass SIGTERM on, and the service never shuts down gracefully.
    const [command, ...args] = pidOneCommand(final)
    expect(command).toBe('node')
    // With the options every runner starts a service with (the tracing instrumentations first).
    expect(args).toEqual([...SERVICE_NODE_OPTIONS, `${serviceDir}/src/server.ts`])
    for (const file of args.filter((arg) => arg.endsWith('.ts'))) expect(exists(file), file).toBe(true)
    // The base image's entrypoint execs the CMD; one of ours could leave a shell in between.
    expect(all('ENTRYPOINT')).toEqual([])
    const user = all('USER').at(-1)?.args.split(':')[0]
    expect(['node', '1000']).toContain(user)
  })

  it('listens on all interfaces in production mode, on the port it exposes', () => {
    const env = final.env
    expect(env.NODE_ENV).toBe('production')
    expect(env.HOST).toBe('0.0.0.0')
    const exposed = all('EXPOSE').flatMap((expose) =>
      expose.args.split(/\s+/).map((port) => port.split('/')[0]),
    )
    expect(exposed).toEqual([buildArgs.PORT])
    const defaultPort = (APP_SERVICES[name]?.properties.PORT as { default?: number } | undefined)?.default
    expect(exposed).toEqual([String(defaultPort)])
    // The health check reads PORT, so the image must set it even when compose does not.
    expect(env.PORT).toBe(exposed[0])
  })

  it("checks its health on /health with Node's fetch, on the port the service listens on", () => {
    const healthchecks = all('HEALTHCHECK')
    expect(healthchecks).toHaveLength(1)
    const [keyword, ...rest] = (healthchecks[0]?.args ?? '').split(/\s+/)
    expect(keyword).toBe('CMD')
    const command = words(rest.join(' '))
    expect(command[0]).toBe('node')
    expect(command.join(' ')).toMatch(/fetch\(.*\/health/)
    // HEALTHCHECK expands no build arg: a port written into it would be right for one service only.
    expect(command.join(' ')).toMatch(/process\.env\.PORT\b/)
  })
})
