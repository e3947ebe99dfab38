import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * The import rule of docs/architecture.md is enforced by `npm run lint` (Biome's
 * noRestrictedImports, configured per folder in biome.json). These cases hold that configuration
 * to the rule: each forbidden import must be reported, each allowed one must not. The probe files
 * live in a temporary tree with the repository's biome.json, so the checkout is never touched.
 */
const ROOT = resolve(import.meta.dirname, '../..')
const BIOME = join(ROOT, 'node_modules/.bin/biome')

/** Per probe file: imports the rule refuses, and imports it allows. */
const probes: Record<string, { refused: string[]; allowed: string[] }> = {
  // contracts depend on nothing of the shop
  'packages/contracts/src/probe.ts': {
    refused: ['@shop/platform', '../../../services/orders-service/src/app.ts'],
    allowed: ['./money.ts', 'typebox'],
  },
  // the platform: db is the base, transports know no HTTP, HTTP knows no messaging
  'packages/platform/src/db/probe.ts': {
    refused: ['../http/problem.ts', '../transport/port.ts'],
    allowed: ['./pool.ts'],
  },
  'packages/platform/src/transport/kafka/probe.ts': {
    refused: ['../../http/problem.ts'],
    allowed: ['../../db/pool.ts'],
  },
  'packages/platform/src/http/probe.ts': {
    refused: ['../outbox/relay.ts'],
    allowed: ['../db/pool.ts', '@shop/contracts'],
  },
  'packages/platform/src/outbox/probe.ts': {
    refused: ['@shop/orders-service', '@shop/platform', '../../../../scripts/start.ts'],
    allowed: ['../transport/port.ts'],
  },
  // services: domain and data know no delivery mechanism; no service imports another
  'services/orders-service/src/domain/probe.ts': {
    refused: ['../http/orders.routes.ts', '../messaging/x.consumer.ts', 'fastify'],
    allowed: ['../data/orders.repository.ts', '@shop/platform'],
  },
  'services/payments-service/src/data/probe.ts': {
    refused: ['../http/accounts.routes.ts'],
    allowed: ['../domain/payment.ts'],
  },
  'services/orders-service/src/http/probe.ts': {
    refused: [
      '@shop/payments-service',
      '../../../payments-service/src/app.ts',
      '@shop/platform/src/db/pool.ts',
      '../../test/support/orders-harness.ts',
    ],
    allowed: ['../domain/order.ts'],
  },
  'services/api-gateway/src/http/probe.ts': { refused: [], allowed: ['@shop/platform'] },
  // the storefront runs in a browser
  'apps/storefront/src/probe.ts': {
    refused: ['@shop/contracts', '@shop/platform', '../../../services/api-gateway/src/app.ts'],
    allowed: ['@shop/contracts/browser', 'preact'],
  },
}
const cases = Object.entries(probes).flatMap(([file, { refused, allowed }]) => [
  ...refused.map((from) => ({ file, from, allowed: false })),
  ...allowed.map((from) => ({ file, from, allowed: true })),
])

interface Diagnostic {
  category: string
  location: { path: string; start: { line: number } }
}

const tree = mkdtempSync(join(tmpdir(), 'import-rules-'))
afterAll(() => rmSync(tree, { recursive: true, force: true }))

/** Writes every case as one import line of its probe file, lints the tree once, and maps the reports. */
function lintProbes(): Set<string> {
  copyFileSync(join(ROOT, 'biome.json'), join(tree, 'biome.json'))
  const files = new Map<string, string[]>()
  for (const { file, from } of cases) files.set(file, [...(files.get(file) ?? []), from])
  for (const [file, imports] of files) {
    mkdirSync(dirname(join(tree, file)), { recursive: true })
    const lines = imports.map((from, index) => `import * as probe${index} from '${from}'`)
    lines.push(`export const probes = [${imports.map((_, index) => `probe${index}`).join(', ')}]`, '')
    writeFileSync(join(tree, file), lines.join('\n'))
  }
  const run = spawnSync(
    BIOME,
    ['lint', '--vcs-enabled=false', '--reporter=json', '--max-diagnostics=none', '.'],
    {
      cwd: tree,
      encoding: 'utf8',
    },
  )
  const report = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] }
  return new Set(
    report.diagnostics
      .filter((diagnostic) => diagnostic.category === 'lint/style/noRestrictedImports')
      .map((diagnostic) => {
        const path = diagnostic.location.path
        const from = files.get(path)?.[diagnostic.location.start.line - 1]
        return `${path} ← ${from}`
      }),
  )
}

describe('the import rule (biome.json, docs/architecture.md)', () => {
  const refused = lintProbes()

  it.each(cases)('$file importing $from: allowed $allowed', ({ file, from, allowed }) => {
    expect(refused.has(`${file} ← ${from}`)).toBe(!allowed)
  })
})
