/**
 * CI's dependency audit: fails when a production dependency has a high or critical advisory.
 * Some registry mirrors refuse npm's audit endpoint; that is reported loudly, not taken as a pass
 * of the audit itself, and does not fail the build, since nothing about the code is wrong then.
 */
import { spawnSync } from 'node:child_process'

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' })
let report: { message?: string; metadata?: { vulnerabilities?: Record<string, number> } }
try {
  report = JSON.parse(run.stdout || '{}')
} catch {
  console.error(`npm audit gave no report:\n${run.stdout}\n${run.stderr}`)
  process.exit(1)
}
if (!report.metadata) {
  console.warn(`AUDIT NOT RUN: the registry refused npm audit (${report.message ?? run.stderr.trim()})`)
  process.exit(0)
}
const found = report.metadata?.vulnerabilities ?? {}
const serious = (found.high ?? 0) + (found.critical ?? 0)
console.log(`npm audit (production dependencies): ${JSON.stringify(found)}`)
if (serious > 0) {
  console.error(`${serious} high or critical advisories; run npm audit --omit=dev for details`)
  process.exit(1)
}
