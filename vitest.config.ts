import { defineConfig } from 'vitest/config'

/**
 * Suites that drive the whole system under faults, through a real browser or from a copy of the
 * checkout. On two cores they run after everything else and one at a time: run alongside the
 * other suites they time out for want of CPU, not because anything is wrong.
 */
const SOLO = [
  'tests/chaos/**/*.test.ts',
  'tests/browser/**/*.test.ts',
  'tests/e2e/kafka-outage.e2e.test.ts',
  'tests/tooling/private-directory.test.ts',
  // It bounds how long a takeover takes, which CPU taken by other suites would stretch.
  'tests/e2e/scale-out.e2e.test.ts',
]

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    // The console ends with the count of tests run and passed; the per-test record goes to a JUnit
    // file for CI to keep.
    reporters: ['default', ['junit', { outputFile: 'test-results/vitest/junit.xml' }]],
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'shop',
          include: [
            'packages/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'apps/*/test/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
          exclude: SOLO,
          // Each file makes its own database, so files run in parallel; two cores, so two workers.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'solo',
          include: SOLO,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
    coverage: {
      provider: 'v8',
      // The storefront's logic (.ts) is unit-tested; its components (.tsx) run in the browser test,
      // where v8 cannot see them.
      include: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      // Entry points run only as child processes in the end-to-end suite, where v8 cannot see them.
      exclude: ['services/*/src/server.ts'],
      // The per-file table (about 300 lines) goes to coverage/coverage.txt, so that the console ends
      // with the test counts and the totals rather than with the table.
      reporter: ['text-summary', ['text', { file: 'coverage.txt' }]],
      thresholds: { lines: 80 },
    },
  },
})
