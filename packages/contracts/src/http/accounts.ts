import { Type } from 'typebox'
import { CENT, MAX_AMOUNT } from '../money.ts'
import { Amount, IdempotentUserHeaders, listLimit, NoQuery, UserIdHeaders, Uuid } from './common.ts'
import { header, JSON_MEDIA_TYPE, jsonResponse, problemResponse } from './responses.ts'
import { serviceRoute } from './service-answers.ts'

export const Account = Type.Object(
  { user_id: Uuid, balance: Type.Number({ description: 'The balance, with at most 2 fraction digits.' }) },
  { additionalProperties: false },
)

export const OpenAccountBody = Type.Object(
  {
    initial_balance: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: MAX_AMOUNT,
        multipleOf: CENT,
        description:
          'The opening balance, 0 when omitted; at most 2 fraction digits, up to 1,000,000,000.00.',
        examples: [200],
      }),
    ),
  },
  { additionalProperties: false },
)

export const TopUpBody = Type.Object({ amount: Amount }, { additionalProperties: false })

export const ChargeBody = Type.Object({ order_id: Uuid, amount: Amount }, { additionalProperties: false })

export const ChargeResult = Type.Object(
  { order_id: Uuid, status: Type.Literal('SUCCESS') },
  { additionalProperties: false },
)

export const CSV_MEDIA_TYPE = 'text/csv'

export const StatementEntryKind = Type.Union([
  Type.Literal('opening'),
  Type.Literal('topup'),
  Type.Literal('charge'),
  Type.Literal('refund'),
])

export const StatementEntry = Type.Object(
  {
    id: Type.String({ pattern: '^[1-9][0-9]*$', description: 'The entry’s number in the ledger.' }),
    kind: StatementEntryKind,
    amount: Type.Number({ description: 'Negative for a charge.' }),
    balance_after: Type.Number({ description: 'The balance once this entry was made.' }),
    order_id: Type.Optional(Uuid),
    refund_id: Type.Optional(Uuid),
    created_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
)

export const Statement = Type.Object(
  {
    entries: Type.Array(StatementEntry),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next (older) page; null on the last page.',
    }),
  },
  { additionalProperties: false },
)

/** The columns of a statement as CSV, in order; the first row of every CSV statement. */
export const STATEMENT_CSV_COLUMNS = [
  'id',
  'kind',
  'amount',
  'balance_after',
  'order_id',
  'refund_id',
  'created_at',
] as const

export const StatementQuery = Type.Object(
  {
    limit: Type.Optional(listLimit('entries')),
    cursor: Type.Optional(
      Type.String({
        pattern: '^[1-9][0-9]{0,17}$',
        description: 'The `next_cursor` of the page before; the newest entries without it.',
        examples: ['42'],
      }),
    ),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        description: 'csv for the same entries as CSV (as `Accept: text/csv` asks too); json by default.',
      }),
    ),
  },
  { additionalProperties: false },
)

const noAccount = problemResponse('`account_not_found`: the user has no account; open one first.')

/** After opening an account, its owner may read, top up and charge it: the same X-User-Id. */
const SAME_USER = { 'header.x-user-id': '$request.header.x-user-id' }

/** The routes of payments-service, as the gateway serves them too: one definition for both. */
export const AccountRoutes = {
  openAccount: serviceRoute({
    method: 'POST',
    url: '/accounts',
    schema: {
      operationId: 'openAccount',
      summary: 'Open an account for the calling user',
      tags: ['accounts'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      body: OpenAccountBody,
      response: {
        201: jsonResponse(Account, 'The new account.'),
        409: problemResponse('`account_exists`: the user has an account.'),
      },
    },
    links: {
      201: {
        getBalance: { operationId: 'getBalance', parameters: SAME_USER },
        getStatement: { operationId: 'getStatement', parameters: SAME_USER },
        topUp: { operationId: 'topUp', parameters: SAME_USER },
        charge: { operationId: 'charge', parameters: SAME_USER },
      },
    },
  }),
  topUp: serviceRoute({
    method: 'POST',
    url: '/accounts/topup',
    schema: {
      operationId: 'topUp',
      summary: 'Add money to the calling user’s account',
      tags: ['accounts'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      body: TopUpBody,
      response: {
        200: jsonResponse(Account, 'The account with its new balance.'),
        404: noAccount,
        422: problemResponse(
          '`balance_limit_exceeded`: the balance would pass 100,000,000,000.00; nothing is added.',
        ),
      },
    },
  }),
  getBalance: serviceRoute({
    method: 'GET',
    url: '/accounts/balance',
    schema: {
      operationId: 'getBalance',
      summary: 'The calling user’s balance',
      tags: ['accounts'],
      headers: UserIdHeaders,
      querystring: NoQuery,
      response: { 200: jsonResponse(Account, 'The account and its balance.'), 404: noAccount },
    },
  }),
  getStatement: serviceRoute({
    method: 'GET',
    url: '/accounts/statement',
    schema: {
      operationId: 'getStatement',
      summary: 'The calling user’s account statement, newest entry first',
      description:
        'Every change of the balance: opening, top-ups, charges (negative) and refunds. The entries add up to ' +
        'the balance, and `balance_after` of the newest is the balance. As CSV with `?format=csv` or ' +
        '`Accept: text/csv`.',
      tags: ['accounts'],
      headers: UserIdHeaders,
      querystring: StatementQuery,
      response: {
        200: {
          description: 'A page of entries, newest first, and the cursor of the next page.',
          headers: {
            'next-cursor': header(
              Type.String(),
              'With CSV: the `cursor` of the next (older) page; absent on the last page.',
            ),
          },
          content: {
            [JSON_MEDIA_TYPE]: { schema: Statement },
            [CSV_MEDIA_TYPE]: {
              schema: Type.String({
                description: `CSV with a header row (${STATEMENT_CSV_COLUMNS.join(',')}); the next page's cursor in the Next-Cursor header.`,
              }),
            },
          },
        },
        404: noAccount,
      },
    },
  }),
  charge: serviceRoute({
    method: 'POST',
    url: '/accounts/charge',
    schema: {
      operationId: 'charge',
      summary: 'Charge an order once',
      description:
        'Charges at most once per order_id: the same request again answers the same 200 and charges nothing. ' +
        'A failed charge is not recorded, so it may be retried after a top-up.',
      tags: ['accounts'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      body: ChargeBody,
      response: {
        200: jsonResponse(ChargeResult, 'The order is charged (now, or by an earlier identical request).'),
        402: problemResponse(
          '`insufficient_funds`: the balance does not cover the amount; nothing is charged.',
        ),
        404: noAccount,
        409: problemResponse(
          '`order_already_charged`: the order was charged with another amount or by another user.',
        ),
      },
    },
  }),
} as const
