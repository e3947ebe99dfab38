import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AccountRoutes,
  CSV_MEDIA_TYPE,
  DEFAULT_LIST_LIMIT,
  ErrorCatalogue,
  JSON_MEDIA_TYPE,
  STATEMENT_CSV_COLUMNS,
} from '@shop/contracts'
import { AppError, autocommit, minorUnitsAsDecimal, requireUserId } from '@shop/platform'
import { stringify } from 'csv-stringify/sync'
import type { FastifyRequest } from 'fastify'
import Negotiator from 'negotiator'
import type pg from 'pg'
import { readStatement, type Statement, toStatementView } from '../domain/statement.ts'

/** CSV when `?format=csv` says so, or, without `format`, when Accept prefers text/csv to JSON. */
function wantsCsv(request: FastifyRequest<{ Querystring: { format?: 'json' | 'csv' } }>): boolean {
  if (request.query.format) return request.query.format === 'csv'
  return new Negotiator(request.raw).mediaType([JSON_MEDIA_TYPE, CSV_MEDIA_TYPE]) === CSV_MEDIA_TYPE
}

/** The statement for a spreadsheet: a header row, then one row per entry, amounts as exact decimals. */
const toCsv = (statement: Statement): string =>
  stringify(
    statement.entries.map((entry) => ({
      id: entry.id,
      kind: entry.kind,
      amount: minorUnitsAsDecimal(entry.amountMinor),
      balance_after: minorUnitsAsDecimal(entry.balanceAfterMinor),
      order_id: entry.orderId ?? '',
      refund_id: entry.refundId ?? '',
      created_at: entry.createdAt.toISOString(),
    })),
    { header: true, columns: [...STATEMENT_CSV_COLUMNS] },
  )

/** `GET /accounts/statement`: the caller's ledger, a page at a time, as JSON or CSV. */
export const statementRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool }> = async (app, { pool }) => {
  app.addHook('onRequest', requireUserId)

  app.route({
    ...AccountRoutes.getStatement,
    handler: async (request, reply) => {
      const statement = await readStatement(autocommit(pool), request.userId, {
        limit: Number(request.query.limit ?? DEFAULT_LIST_LIMIT),
        cursor: request.query.cursor,
      })
      if (!statement)
        throw new AppError(ErrorCatalogue.accountNotFound, 'This user has no account; create one first')
      // The same URL answers in two media types: caches must key on Accept too.
      reply.header('vary', 'accept')
      if (!wantsCsv(request)) return toStatementView(statement)
      if (statement.nextCursor) reply.header('next-cursor', statement.nextCursor)
      return reply.type(`${CSV_MEDIA_TYPE}; charset=utf-8`).send(toCsv(statement))
    },
  })
}
