import { Type } from 'typebox'
import {
  Amount,
  CENT,
  IdempotentUserHeaders,
  MAX_AMOUNT,
  NoQuery,
  problemResponse,
  UserIdHeaders,
  Uuid,
} from './common.ts'

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

const badRequest = problemResponse('Missing or malformed X-User-Id, or malformed JSON')
const unprocessable = problemResponse('The body breaks the schema')
const noAccount = problemResponse('The user has no account')

/** The routes of payments-service, as the gateway serves them too: one definition for both. */
export const AccountRoutes = {
  openAccount: {
    method: 'POST',
    url: '/accounts',
    schema: {
      summary: 'Open an account for the calling user',
      tags: ['accounts'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      body: OpenAccountBody,
      response: {
        201: Account,
        400: badRequest,
        409: problemResponse('The user has an account'),
        422: unprocessable,
      },
    },
  },
  topUp: {
    method: 'POST',
    url: '/accounts/topup',
    schema: {
      summary: 'Add money to the calling user’s account',
      tags: ['accounts'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      body: TopUpBody,
      response: {
        200: Account,
        400: badRequest,
        404: noAccount,
        422: problemResponse('The body breaks the schema, or the balance would pass its limit'),
      },
    },
  },
  getBalance: {
    method: 'GET',
    url: '/accounts/balance',
    schema: {
      summary: 'The calling user’s balance',
      tags: ['accounts'],
      headers: UserIdHeaders,
      querystring: NoQuery,
      response: { 200: Account, 400: badRequest, 404: noAccount },
    },
  },
  charge: {
    method: 'POST',
    url: '/accounts/charge',
    schema: {
      summary: 'Charge an order once',
      description:
        'Charges at most once per order_id: the same request again answers the same 200 and charges nothing. ' +
        'A failed charge is not recorded, so it may be retried after a top-up.',
      tags: ['accounts'],
      headers: IdempotentUserHeaders,
      querystring: NoQuery,
      body: ChargeBody,
      response: {
        200: ChargeResult,
        400: badRequest,
        402: problemResponse('The balance does not cover the amount'),
        404: noAccount,
        409: problemResponse('The order was charged with another amount or by another user'),
        422: unprocessable,
      },
    },
  },
} as const
