import { fromMinorUnits } from '@shop/platform'
import type { AccountRow } from '../data/accounts.repository.ts'

/**
 * A balance may grow past one top-up's limit, but not without bound: this keeps every balance an
 * exact JSON number (well under 2^53 minor units). Ten trillion minor units: 100,000,000,000.00.
 */
export const MAX_BALANCE_MINOR = 10_000_000_000_000

export interface AccountView {
  user_id: string
  balance: number
}

export const toAccountView = (row: AccountRow): AccountView => ({
  user_id: row.user_id,
  balance: fromMinorUnits(row.balance_minor),
})
