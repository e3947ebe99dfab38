import { fromMinorUnits } from '@shop/platform'

/**
 * A balance may grow past one top-up's limit, but not without bound: this keeps every balance an
 * exact JSON number (well under 2^53 minor units). Ten trillion minor units: 100,000,000,000.00.
 */
export const MAX_BALANCE_MINOR = 10_000_000_000_000

export interface Account {
  userId: string
  balanceMinor: number
}

/** Why the ledger records a change of balance; the balance always equals the sum of its entries. */
export type LedgerEntryKind = 'opening' | 'top_up' | 'charge' | 'refund'

export interface AccountView {
  user_id: string
  balance: number
}

export const toAccountView = (account: Account): AccountView => ({
  user_id: account.userId,
  balance: fromMinorUnits(account.balanceMinor),
})
