import { pino } from 'pino'

/** Tests keep the console for their own output; set TEST_LOG_LEVEL=debug to see the services'. */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })
