/** With `--profile`: each process's self time during the peak step, and PostgreSQL's time per statement. */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { formatStatements } from './pg-activity.ts'
import type { WatchedProcess } from './procstat.ts'
import { formatSummary, type ProfileSummary, summarizeProfile } from './profile.ts'
import type { PhaseResult } from './result.ts'

export async function summarizePeakProfiles(options: {
  profileDir: string
  watched: WatchedProcess[]
  peakStep: PhaseResult
  window: { fromUs: number; toUs: number } | undefined
}): Promise<Record<string, ProfileSummary>> {
  const { profileDir, peakStep } = options
  const profile: Record<string, ProfileSummary> = {}
  const files = (await readdir(profileDir)).filter((file) => file.endsWith('.cpuprofile'))
  for (const watched of options.watched) {
    const file = files.find((candidate) => candidate.includes(`.${watched.pid}.`))
    if (!file) continue
    const summary = summarizeProfile(join(profileDir, file), options.window, 25)
    profile[watched.name] = summary
    console.log(`\n${formatSummary(`${watched.name} at ${peakStep.name}`, summary, 15)}`)
  }
  const statements = peakStep.postgres.statements
  if (statements) console.log(`\n${formatStatements(peakStep.name, statements, peakStep.seconds)}`)
  console.log(
    `\nraw profiles: ${profileDir} (open in Chrome DevTools or summarise with scripts/bench/lib/profile.ts)`,
  )
  return profile
}
