import pg from 'pg'

/**
 * Whether an error says the database could not be reached or asked for a retry, rather than that
 * the work itself is wrong. Such failures are retried for as long as they last; any other failure
 * is retried a bounded number of times and then set aside.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof code === 'string') {
    // Connection exceptions, admin or crash shutdown, too many connections, out of resources,
    // serialization failures and deadlocks (SQLSTATE classes 08, 57P, 53, and 40001/40P01).
    if (/^(08|57P|53)/.test(code) || code === '40001' || code === '40P01') return true
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code))
      return true
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
      message,
    )
  )
}

/**
 * Whether PostgreSQL itself refused the work: a statement, or its COMMIT, was answered with an
 * error, so nothing of it committed. A lost connection proves no such thing (the COMMIT may have
 * gone through before its answer was lost), and neither do the errors that end a connection
 * (SQLSTATE classes 08 and 57P).
 */
export function refusedByDatabase(error: unknown): boolean {
  return error instanceof pg.DatabaseError && !/^(08|57P)/.test(error.code ?? '')
}
