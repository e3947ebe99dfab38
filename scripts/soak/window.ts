/**
 * Whether each trimmed table is back within its retention window: the age of its oldest row
 * retention applies to (the production statement, `oldestAgeSeconds` in retained-tables.ts) is at
 * most the window and two trim intervals (one the row may wait for, one the trim round may take).
 */
import { parseDuration } from '../../packages/platform/src/retention/duration.ts'
import {
  INBOX,
  LOG_MESSAGES,
  OUTBOX,
  type RetainedTable,
} from '../../packages/platform/src/retention/retained-tables.ts'
import { withClient } from '../lib/pg-client.ts'
import type { SoakDatabases } from './samples.ts'

type RetentionSetting = 'OUTBOX_RETENTION' | 'INBOX_RETENTION' | 'LOG_RETENTION'

const TABLES: { database: keyof SoakDatabases; table: RetainedTable; setting: RetentionSetting }[] = [
  { database: 'orders', table: OUTBOX, setting: 'OUTBOX_RETENTION' },
  { database: 'orders', table: INBOX, setting: 'INBOX_RETENTION' },
  { database: 'payments', table: OUTBOX, setting: 'OUTBOX_RETENTION' },
  { database: 'payments', table: INBOX, setting: 'INBOX_RETENTION' },
  { database: 'broker', table: LOG_MESSAGES, setting: 'LOG_RETENTION' },
]

/** Each table's oldest expirable row in seconds, and a problem for every table past its window. */
export async function beyondWindow(
  urls: SoakDatabases,
  retention: Record<RetentionSetting | 'RETENTION_INTERVAL', string>,
): Promise<{ ages: Record<string, number>; problems: string[] }> {
  const ages: Record<string, number> = {}
  const problems: string[] = []
  const intervalSeconds = parseDuration(retention.RETENTION_INTERVAL) / 1000
  for (const { database, table, setting } of TABLES) {
    const name = `${database}.${table.name}`
    const age = await withClient(urls[database], async (client) => {
      await client.query(`SET search_path TO ${database}`)
      return Number((await client.query<{ age: number | null }>(table.oldestAgeSeconds)).rows[0]?.age ?? 0)
    })
    ages[name] = Math.round(age)
    const limit = parseDuration(retention[setting]) / 1000 + 2 * intervalSeconds
    if (age > limit) problems.push(`${name}: its oldest row is ${Math.round(age)} s old, beyond ${limit} s`)
  }
  return { ages, problems }
}
