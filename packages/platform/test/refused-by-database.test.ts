import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { refusedByDatabase } from '../src/db/transient-errors.ts'

const databaseError = (code: string) => Object.assign(new pg.DatabaseError('refused', 0, 'error'), { code })

describe('refusedByDatabase', () => {
  it.each([['23505'], ['P0001'], ['40P01'], ['23514']])(
    'when PostgreSQL answered the work with SQLSTATE %s, then nothing of it committed',
    (code) => {
      expect(refusedByDatabase(databaseError(code))).toBe(true)
    },
  )

  it.each([
    ['a connection exception', databaseError('08006')],
    ['an administrator shutdown', databaseError('57P01')],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a broken pipe', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
  ])('when the failure is %s, then the work may have committed', (_case, error) => {
    expect(refusedByDatabase(error)).toBe(false)
  })
})
