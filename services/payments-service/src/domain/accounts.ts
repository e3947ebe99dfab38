import { ErrorCatalogue } from '@shop/contracts'
import { AppError, type Database, type Queryable, withTransaction } from '@shop/platform'
import { creditAccount, findAccount, insertAccount, insertLedgerEntry } from '../data/accounts.repository.ts'
import { type AccountView, MAX_BALANCE_MINOR, toAccountView } from './account.ts'

export const accountNotFound = () =>
  new AppError(ErrorCatalogue.accountNotFound, 'This user has no account; create one first')

export async function openAccount(
  db: Database,
  userId: string,
  initialBalanceMinor: number,
): Promise<AccountView> {
  return withTransaction(db, async (trx) => {
    const account = await insertAccount(trx, userId, initialBalanceMinor)
    if (!account) throw new AppError(ErrorCatalogue.accountExists, 'This user already has an account')
    await insertLedgerEntry(trx, { userId, kind: 'opening', amountMinor: initialBalanceMinor })
    return toAccountView(account)
  })
}

export async function topUp(db: Database, userId: string, amountMinor: number): Promise<AccountView> {
  return withTransaction(db, async (trx) => {
    const account = await creditAccount(trx, userId, amountMinor, MAX_BALANCE_MINOR)
    if (!account) {
      if (!(await findAccount(trx, userId))) throw accountNotFound()
      throw new AppError(ErrorCatalogue.balanceLimitExceeded, 'A balance may not exceed 100,000,000,000.00')
    }
    await insertLedgerEntry(trx, { userId, kind: 'top_up', amountMinor })
    return toAccountView(account)
  })
}

export async function getBalance(db: Queryable, userId: string): Promise<AccountView> {
  const account = await findAccount(db, userId)
  if (!account) throw accountNotFound()
  return toAccountView(account)
}
