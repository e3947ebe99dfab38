import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevIssuer, startDevIssuer } from '../../apps/dev-issuer/src/dev-issuer.ts'
import { freePort, REPO_ROOT } from '../../scripts/lib/launcher/service-process.ts'
import { type RunningShop, startShop } from '../support/shop.ts'
import { type Browser, chromiumUnavailableReason, launchChromium } from './chromium.ts'

const ARTIFACTS = join(REPO_ROOT, 'test-results')
const unavailable = chromiumUnavailableReason()
if (unavailable) console.warn(`\n  SKIPPED: the browser test of signing in: ${unavailable}\n`)

const SETTLED_WITHIN_MS = 20_000
const AUDIENCE = 'shop-api'
const INTERNAL_AUTH_TOKEN = 'a-browser-test-internal-token-of-32-chars'

describe.skipIf(unavailable !== undefined)(
  'the storefront in oidc mode, signing in at the development issuer',
  () => {
    let issuer: DevIssuer
    let shop: RunningShop
    let browser: Browser
    let page: Page
    const pageErrors: string[] = []
    const pushes: { order_id?: string; status?: string }[] = []
    const socketUrls: string[] = []

    beforeAll(async () => {
      await mkdir(ARTIFACTS, { recursive: true })
      const gatewayPort = await freePort()
      const origin = `http://127.0.0.1:${gatewayPort}`
      issuer = await startDevIssuer({
        host: '127.0.0.1',
        port: 0,
        audience: AUDIENCE,
        storefront: { clientId: 'storefront', redirectUris: [`${origin}/`] },
      })
      shop = await startShop(
        { INTERNAL_AUTH_TOKEN },
        {
          port: gatewayPort,
          env: {
            AUTH_MODE: 'oidc',
            OIDC_ISSUER: issuer.url,
            OIDC_AUDIENCE: AUDIENCE,
            OIDC_CLIENT_ID: 'storefront',
          },
        },
      )
      browser = await launchChromium()
      page = browser.context.pages()[0] ?? (await browser.context.newPage())
      page.on('pageerror', (error) => pageErrors.push(error.message))
      page.on('websocket', (socket) => {
        socketUrls.push(socket.url())
        socket.on('framereceived', ({ payload }) => pushes.push(JSON.parse(String(payload))))
      })
    }, 120_000)

    afterAll(async () => {
      await browser?.close()
      await shop?.stop()
      await issuer?.close()
    })

    const balanceShows = (amount: string) =>
      page
        .getByTestId('balance')
        .filter({ hasText: new RegExp(`^${amount.replace('.', '\\.')}$`) })
        .waitFor()

    it('when alice signs in at the issuer’s own page, then she opens an account, orders and sees it settle live', async () => {
      await page.goto(shop.gateway)
      await page.getByRole('button', { name: 'Sign in' }).click()

      // The development issuer's sign-in page (oidc-provider's own), on the issuer's origin.
      await page.waitForURL((url) => url.href.startsWith(issuer.url))
      await page.locator('input[name="login"]').fill('alice')
      await page.locator('input[name="password"]').fill('any password')
      await page.getByRole('button', { name: 'Sign-in' }).click()

      await page.waitForURL((url) => url.href.startsWith(shop.gateway) && !url.search.includes('code='))
      await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('Alice Example')
      await page.getByTestId('live-badge').filter({ hasText: 'Live' }).waitFor()

      await page.getByRole('button', { name: 'Open an account' }).click()
      await balanceShows('0.00')
      await page.getByLabel('Top up by').fill('50')
      await page.getByRole('button', { name: 'Top up', exact: true }).click()
      await balanceShows('50.00')
      await page.getByLabel('Amount').fill('20')
      await page.getByLabel('Description').fill('a teapot')
      await page.getByRole('button', { name: 'Place order' }).click()
      const order = page.locator('li.order', { hasText: 'a teapot' })
      await order
        .getByTestId('order-status')
        .filter({ hasText: 'FINISHED' })
        .waitFor({ timeout: SETTLED_WITHIN_MS })
      await balanceShows('30.00')

      // The status came over the socket, opened with a ticket and not a token or a user id.
      expect(pushes).toContainEqual(expect.objectContaining({ status: 'FINISHED' }))
      expect(socketUrls.length).toBeGreaterThan(0)
      expect(socketUrls.every((url) => /\/ws\?ticket=[^&]+$/.test(url))).toBe(true)
      expect(pageErrors).toEqual([])
      await page.screenshot({ path: join(ARTIFACTS, 'storefront-oidc.png'), fullPage: true })
    }, 90_000)

    it('when she signs out, then the issuer ends her session and the page asks to sign in again, keeping no token', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click()
      // oidc-provider asks whether to sign out of the issuer too.
      await page.waitForURL((url) => url.href.startsWith(issuer.url))
      const confirm = page.getByRole('button', { name: /yes|sign out/i })
      if (await confirm.count()) await confirm.first().click()

      await page.waitForURL((url) => url.href.startsWith(shop.gateway))
      await page.getByRole('button', { name: 'Sign in' }).waitFor()
      const stored = await page.evaluate<number>('window.sessionStorage.length')
      expect(stored).toBe(0)
      expect(pageErrors).toEqual([])
    }, 60_000)
  },
)
