/**
 * Why a test of what only root meets (PostgreSQL run as another user) cannot run here, or
 * undefined when it can. Elsewhere the test says it was skipped; in CI, which runs as root, not
 * running it is a failure, as for the Kafka suites.
 */
export function notRootReason(test: string): string | undefined {
  if (process.getuid?.() === 0) return undefined
  const reason = 'not running as root (only root runs PostgreSQL as another user)'
  if (process.env.CI === 'true') throw new Error(`${test} must run in CI, but cannot: ${reason}`)
  console.warn(`\n  SKIPPED: ${test}: ${reason}\n`)
  return reason
}
