import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../scripts/lib/launcher/service-process.ts'
import { shopClient } from '../../scripts/lib/shop-client.ts'
import { eventually } from '../support/eventually.ts'
import { type RunningShop, startShop } from '../support/shop.ts'
import { type Browser, chromiumUnavailableReason, launchChromium } from './chromium.ts'

/** Screenshots are kept as test artifacts (CI keeps test-results/). */
const ARTIFACTS = join(REPO_ROOT, 'test-results')
const unavailable = chromiumUnavailableReason()
if (unavailable) console.warn(`\n  SKIPPED: the browser test of the storefront: ${unavailable}\n`)

// A payment goes through two outboxes and two consumers: a few seconds at most, even on a busy machine.
const SETTLED_WITHIN_MS = 20_000
// After a long outage the page waits up to 30 s between attempts (with jitter), then connects.
const RECONNECTED_WITHIN_MS = 45_000

describe.skipIf(unavailable !== undefined)('the storefront, in a real browser against the whole shop', () => {
  let shop: RunningShop
  let browser: Browser
  let page: Page
  const api = () => shopClient(shop.gateway)
  /** Every message the page's WebSocket received, parsed. */
  const pushes: { order_id?: string; status?: string }[] = []
  const pageErrors: string[] = []
  let firstUserId = ''

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true })
    shop = await startShop()
    browser = await launchChromium()
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('pageerror', (error) => pageErrors.push(error.message))
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => pushes.push(JSON.parse(String(payload)))),
    )
    await page.goto(`${shop.gateway}/`)
    // A reload would wipe this: finding it at the end proves the page never reloaded.
    await page.evaluate('window.sameDocument = true')
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await shop?.stop()
  })

  const liveBadge = (text: string) =>
    page.getByTestId('live-badge').filter({ hasText: text }).waitFor({ timeout: RECONNECTED_WITHIN_MS })
  const balanceShows = (amount: string) =>
    page
      .getByTestId('balance')
      .filter({ hasText: new RegExp(`^${amount.replace('.', '\\.')}$`) })
      .waitFor()
  const order = (description: string) => page.locator('li.order', { hasText: description })
  const statusOf = async (description: string, status: string) => {
    await order(description).getByTestId('order-status').filter({ hasText: status }).waitFor({
      timeout: SETTLED_WITHIN_MS,
    })
  }
  const stillSameDocument = () => page.evaluate<boolean>('window.sameDocument === true')

  it('when a visitor opens an account, tops up and places orders, then FINISHED and CANCELLED appear without a reload', async () => {
    await liveBadge('Live')
    firstUserId = (await page.getByTestId('user-id').textContent()) ?? ''
    expect(firstUserId).toMatch(/^[0-9a-f-]{36}$/)

    await page.getByRole('button', { name: 'Open an account' }).click()
    await balanceShows('0.00')
    await page.getByLabel('Top up by').fill('100')
    await page.getByRole('button', { name: 'Top up', exact: true }).click()
    await balanceShows('100.00')

    // An order that can be paid, placed with the mouse.
    await page.getByLabel('Amount').fill('30')
    await page.getByLabel('Description').fill('a kettle')
    await page.getByRole('button', { name: 'Place order' }).click()
    await order('a kettle').waitFor()
    await statusOf('a kettle', 'FINISHED')

    // One that cannot, placed with the keyboard only.
    await page.getByLabel('Amount').focus()
    await page.keyboard.type('1000')
    await page.keyboard.press('Tab')
    await page.keyboard.type('a sofa')
    await page.keyboard.press('Enter')
    await statusOf('a sofa', 'CANCELLED')
    await expect(order('a sofa').getByTestId('order-reason').textContent()).resolves.toBe(
      'Cancelled: not enough money in the account.',
    )
    await balanceShows('70.00')

    // Both outcomes came over the socket, and the page is the one first loaded.
    const ids = await page
      .locator('li.order')
      .evaluateAll((items) => items.map((item) => item.dataset.orderId))
    expect(pushes.map((push) => push.order_id).sort()).toEqual([...ids].sort())
    expect(await stillSameDocument()).toBe(true)
    expect(pageErrors).toEqual([])
    await page.screenshot({ path: join(ARTIFACTS, 'storefront.png'), fullPage: true })
  }, 60_000)

  it('when the API refuses an action, then the page says why in words, and a pasted user id brings its account back', async () => {
    await page.getByRole('button', { name: 'New user id' }).click()
    const secondUserId = (await page.getByTestId('user-id').textContent()) ?? ''
    expect(secondUserId).not.toBe(firstUserId)
    await page.getByRole('button', { name: 'Open an account' }).waitFor()
    // Opened behind the page's back (another tab, say): the page still offers to open one.
    expect((await api().openAccount(secondUserId, 5)).status).toBe(201)

    await page.getByRole('button', { name: 'Open an account' }).click()

    await page.getByRole('alert').filter({ hasText: 'This user id already has an account.' }).waitFor()
    await balanceShows('5.00')
    await page.screenshot({ path: join(ARTIFACTS, 'storefront-error.png') })

    await page.getByLabel('Use another user id').fill(firstUserId.toUpperCase())
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('user-id').textContent()).resolves.toBe(firstUserId)
    await balanceShows('70.00')
    await statusOf('a kettle', 'FINISHED')
    await statusOf('a sofa', 'CANCELLED')
    expect(await stillSameDocument()).toBe(true)
  }, 60_000)

  it('when orders-service restarts while an order is being paid, then the page reconnects and shows the outcome it missed', async () => {
    const payments = shop.services.get('payments-service')
    const orders = shop.services.get('orders-service')
    if (!payments || !orders) throw new Error('the shop is not running')
    await payments.stop()
    await page.getByLabel('Amount').fill('20')
    await page.getByLabel('Description').fill('a lamp')
    await page.getByRole('button', { name: 'Place order' }).click()
    await statusOf('a lamp', 'NEW')

    await orders.stop()
    await liveBadge('Reconnecting')
    await page.screenshot({ path: join(ARTIFACTS, 'storefront-reconnecting.png') })
    // Paid while orders-service is down: the result waits for it in the transport.
    await shop.restart('payments-service')
    await eventually(
      async () => (await api().balance(firstUserId)).body?.balance,
      (balance) => balance === 50,
      { timeoutMs: SETTLED_WITHIN_MS },
    )
    await shop.restart('orders-service')

    await liveBadge('Live')
    await statusOf('a lamp', 'FINISHED')
    await balanceShows('50.00')
    expect(await stillSameDocument()).toBe(true)
  }, 150_000)

  it('when the visitor refunds a paid order in parts, cancels a new one and reads the statement, then each shows live and the CSV downloads', async () => {
    const refundsOf = (description: string) => order(description).getByTestId('refund')
    const payments = shop.services.get('payments-service')
    if (!payments) throw new Error('the shop is not running')
    await balanceShows('50.00')

    // A paid order, refunded in two parts; each refund turns SUCCEEDED without a reload.
    await page.getByLabel('Amount', { exact: true }).fill('10')
    await page.getByLabel('Description').fill('a mug')
    await page.getByRole('button', { name: 'Place order' }).click()
    await statusOf('a mug', 'FINISHED')
    await balanceShows('40.00')
    await order('a mug').getByLabel('How much to refund').fill('4')
    await order('a mug').getByRole('button', { name: 'Refund' }).click()
    await refundsOf('a mug').filter({ hasText: 'SUCCEEDED' }).first().waitFor({ timeout: SETTLED_WITHIN_MS })
    await expect(refundsOf('a mug').first().textContent()).resolves.toMatch(/Refund 4\.00/)
    await order('a mug')
      .getByTestId('refunded-amount')
      .filter({ hasText: 'Refunded 4.00 of 10.00.' })
      .waitFor()
    await balanceShows('44.00')
    // An empty amount is all that is left: the order ends REFUNDED.
    await order('a mug').getByRole('button', { name: 'Refund' }).click()
    await statusOf('a mug', 'REFUNDED')
    await refundsOf('a mug').filter({ hasText: 'SUCCEEDED' }).nth(1).waitFor({ timeout: SETTLED_WITHIN_MS })
    await balanceShows('50.00')

    // A NEW order (payments-service is away, so it stays NEW) cancelled at once; once payments-service
    // is back it charges the order and gives the money back by itself.
    await payments.stop()
    await page.getByLabel('Amount', { exact: true }).fill('5')
    await page.getByLabel('Description').fill('a vase')
    await page.getByRole('button', { name: 'Place order' }).click()
    await statusOf('a vase', 'NEW')
    await order('a vase').getByRole('button', { name: 'Cancel order' }).click()
    await statusOf('a vase', 'CANCELLED')
    await expect(order('a vase').getByTestId('order-reason').textContent()).resolves.toBe(
      'Cancelled: you cancelled it.',
    )
    await shop.restart('payments-service')
    await eventually(
      async () => (await api().statement(firstUserId)).body?.entries?.[0]?.kind,
      (kind) => kind === 'refund',
      { timeoutMs: SETTLED_WITHIN_MS },
    )

    // The statement: newest first, ending with the balance; and the same as a CSV file.
    await page.getByRole('button', { name: 'Show statement' }).click()
    const rows = page.getByTestId('statement').locator('tbody tr')
    await rows.first().waitFor()
    const kinds = await rows.evaluateAll((items) => items.map((item) => item.dataset.kind))
    expect(kinds.slice(0, 2)).toEqual(['refund', 'charge'])
    expect(await rows.first().locator('td').nth(3).textContent()).toBe('50.00')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('statement.csv')
    const saved = join(ARTIFACTS, 'statement.csv')
    await download.saveAs(saved)
    const lines = (await readFile(saved, 'utf8')).trim().split('\n')
    expect(lines[0]).toBe('id,kind,amount,balance_after,order_id,refund_id,created_at')
    expect(lines).toHaveLength(kinds.length + 1)
    expect(lines[1]).toMatch(/^\d+,refund,5\.00,50\.00,/)
    expect(await stillSameDocument()).toBe(true)
    expect(pageErrors).toEqual([])
    await page.screenshot({ path: join(ARTIFACTS, 'storefront-refunds.png'), fullPage: true })
  }, 120_000)

  it('when the page is as narrow as a phone (360 px), then nothing overflows sideways', async () => {
    await page.setViewportSize({ width: 360, height: 780 })

    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')

    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: join(ARTIFACTS, 'storefront-phone.png'), fullPage: true })
    expect(pageErrors).toEqual([])
  })
})
