import type { Executor, Transaction } from '@shop/platform'
import { creditAccount, findAccount, insertAccount, insertLedgerEntry } from '../data/accounts.repository.ts'
import { type Account, MAX_BALANCE_MINOR } from './account.ts'

export type OpenAccountOutcome = { outcome: 'opened'; account: Account } | { outcome: 'account_exists' }

export type TopUpOutcome =
  | { outcome: 'topped_up'; account: Account }
  | { outcome: 'account_not_found' }
  /** The balance would pass MAX_BALANCE_MINOR; nothing was credited. */
  | { outcome: 'balance_limit_exceeded' }

export type BalanceOutcome = { outcome: 'found'; account: Account } | { outcome: 'account_not_found' }

/** Opens the user's account with its opening ledger entry, in the caller's transaction; once per user. */
export async function openAccount(
  tx: Transaction,
  userId: string,
  initialBalanceMinor: number,
): Promise<OpenAccountOutcome> {
  const account = await insertAccount(tx, userId, initialBalanceMinor)
  if (!account) return { outcome: 'account_exists' }
  await insertLedgerEntry(tx, { userId, kind: 'opening', amountMinor: initialBalanceMinor })
  return { outcome: 'opened', account }
}

/** Credits the account and records the top-up in the ledger, in the caller's transaction. */
export async function topUp(tx: Transaction, userId: string, amountMinor: number): Promise<TopUpOutcome> {
  const account = await creditAccount(tx, userId, amountMinor, MAX_BALANCE_MINOR)
  if (!account) {
    if (!(await findAccount(tx, userId))) return { outcome: 'account_not_found' }
    return { outcome: 'balance_limit_exceeded' }
  }
  await insertLedgerEntry(tx, { userId, kind: 'top_up', amountMinor })
  return { outcome: 'topped_up', account }
}

export async function getBalance(db: Executor, userId: string): Promise<BalanceOutcome> {
  const account = await findAccount(db, userId)
  return account ? { outcome: 'found', account } : { outcome: 'account_not_found' }
}
