// Gathers the Kafka broker classpath from Maven Central with the pom.xml beside
// this file. Maven is slow and needs the network, so the jars are kept in a
// cache dir keyed by the pom's hash: later runs, and CI with a warm cache,
// skip Maven entirely.

import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const pomPath = fileURLToPath(new URL('./pom.xml', import.meta.url))

// Only finished dirs are renamed into place, so finding the broker jar means
// the whole classpath is there.
function hasJars(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => /^kafka_2\.13-.*\.jar$/.test(f))
}

/** Returns a directory holding every jar the broker needs (use it as `-cp 'DIR/*'`). */
export async function ensureKafkaJars(): Promise<string> {
  const pom = await readFile(pomPath)
  const hash = createHash('sha256').update(pom).digest('hex').slice(0, 16)
  const dir = process.env.KAFKA_JARS_DIR || join(repoRoot, '.cache', 'kafka', hash)
  if (hasJars(dir)) return dir

  // Copy into a private dir then rename, so a crash or a concurrent run never
  // leaves a half-filled dir that would later pass hasJars().
  const tmp = `${dir}.tmp-${process.pid}`
  await rm(tmp, { recursive: true, force: true })
  try {
    await runMaven([
      '-q',
      '-B',
      '-f',
      pomPath,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmp}`,
    ])
    await rename(tmp, dir) // replaces an empty dir, e.g. a freshly made KAFKA_JARS_DIR
  } catch (err) {
    if (!hasJars(dir)) throw err
    // Another process finished first; its copy is as good as ours.
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
  return dir
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const mvn = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    mvn.stdout.on('data', (chunk: Buffer) => {
      output += chunk
    })
    mvn.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    mvn.on('error', (err) => reject(new Error(`cannot run mvn (is Maven installed?): ${err.message}`)))
    mvn.on('close', (code) => {
      // Debian's Maven 3.8 prints colour resets even in batch mode.
      const clean = stripVTControlCharacters(output).trim()
      if (code === 0) resolve()
      else reject(new Error(`mvn ${args.join(' ')} failed (exit ${code}):\n${clean}`))
    })
  })
}
