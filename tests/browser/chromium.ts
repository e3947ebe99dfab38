import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's Chromium, which .ci/run installs: a browser download by the test tool fails on these machines. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * Why the browser test cannot run here, or undefined when it can. In CI a missing browser is a
 * failure rather than a skip, as for the Kafka suites.
 */
export function chromiumUnavailableReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined
  const reason = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`
  if (process.env.CI === 'true') throw new Error(`The browser test must run in CI, but cannot: ${reason}`)
  return reason
}

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Headless Chromium with a fresh profile of its own, thrown away on close. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'shop-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport,
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}
