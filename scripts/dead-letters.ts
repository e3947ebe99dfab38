/**
 * `npm run dead-letters -- list|replay --service orders-service|payments-service [--all | --id N ...]`
 *
 * Shows the messages a service's consumer set aside (malformed, of an unknown version, or failing
 * every retry), and sends them back to their topics once the consumer has been fixed. It reads the
 * service's own settings (environment or .env), so it finds the same database and transport.
 */
import { parseArgs } from 'node:util'
import {
  autocommit,
  createLogger,
  createPool,
  createTransport,
  listDeadLetters,
  loadConfigOrExit,
  replayDeadLetters,
} from '@shop/platform'
import { OrdersConfig } from '../services/orders-service/src/config.ts'
import { PaymentsConfig } from '../services/payments-service/src/config.ts'

const SERVICES: Record<string, { schema: string; config: typeof OrdersConfig | typeof PaymentsConfig }> = {
  'orders-service': { schema: 'orders', config: OrdersConfig },
  'payments-service': { schema: 'payments', config: PaymentsConfig },
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { service: { type: 'string' }, all: { type: 'boolean' }, id: { type: 'string', multiple: true } },
})
const [command] = positionals
const service = SERVICES[values.service ?? '']
if (
  !service ||
  (command !== 'list' && command !== 'replay') ||
  (command === 'replay' && !values.all && !values.id)
) {
  console.error(
    'usage: dead-letters list|replay --service orders-service|payments-service [--all | --id N ...]',
  )
  process.exit(2)
}

const config = loadConfigOrExit('dead-letters', service.config)
const pool = createPool({
  connectionString: config.DATABASE_URL,
  schema: service.schema,
  applicationName: 'dead-letters',
})
try {
  if (command === 'list') {
    const letters = await listDeadLetters(autocommit(pool))
    for (const letter of letters) {
      console.log(
        `#${letter.id}  ${letter.failed_at.toISOString()}  ${letter.topic}/${letter.partition}@${letter.offset}  key=${letter.message_key}\n    ${letter.error}`,
      )
    }
    console.log(`${letters.length} dead letter(s) waiting`)
  } else {
    const transport = await createTransport(config, 'dead-letters', createLogger('dead-letters', 'warn'))
    try {
      const replayed = await replayDeadLetters(pool, transport, values.all ? 'all' : (values.id ?? []))
      console.log(
        `replayed ${replayed.length} dead letter(s): ${replayed.map((letter) => `#${letter.id}`).join(' ')}`,
      )
    } finally {
      await transport.close()
    }
  }
} catch (error) {
  console.error(`dead-letters: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await pool.end()
}
