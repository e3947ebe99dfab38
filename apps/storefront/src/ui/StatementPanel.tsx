import { useState } from 'preact/hooks'
import type { ApiResult, Statement, StatementEntry } from '../api/shop-api.ts'
import { formatAmount } from '../domain/money.ts'

export interface StatementActions {
  readStatement(cursor?: string): Promise<ApiResult<Statement>>
  statementCsv(): Promise<ApiResult<string>>
}

const KINDS: Record<StatementEntry['kind'], string> = {
  opening: 'Opening balance',
  topup: 'Top-up',
  charge: 'Order paid',
  refund: 'Refund',
}

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' })

/** Hands text to the browser as a file to save; the link lives only as long as the click. */
function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/** Where the money went: the account's entries, newest first, a page at a time, and as CSV. */
export function StatementPanel({ actions }: { actions: StatementActions }) {
  const [entries, setEntries] = useState<StatementEntry[] | undefined>(undefined)
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<string | undefined>(undefined)

  const read = async (from?: string) => {
    const result = await actions.readStatement(from)
    if (!result.ok) {
      setError(result.text)
      return
    }
    setError(undefined)
    setEntries((shown) => [...(from ? (shown ?? []) : []), ...result.value.entries])
    setCursor(result.value.next_cursor)
  }

  const saveCsv = async () => {
    const result = await actions.statementCsv()
    if (result.ok) download(result.value, 'statement.csv')
    else setError(result.text)
  }

  return (
    <section class="card statement" aria-labelledby="statement-title">
      <h2 id="statement-title">Statement</h2>
      <div class="actions">
        <button type="button" onClick={() => void read()}>
          {entries ? 'Read again' : 'Show statement'}
        </button>
        <button type="button" class="secondary" onClick={() => void saveCsv()}>
          Download CSV
        </button>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p class="quiet">No entries yet.</p>}
      {entries && entries.length > 0 && (
        <table class="statement-table" data-testid="statement">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Amount</th>
              <th scope="col">Balance</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-kind={entry.kind}>
                <td>
                  <time dateTime={entry.created_at}>{when.format(new Date(entry.created_at))}</time>
                </td>
                <td>{KINDS[entry.kind]}</td>
                <td class="number">{formatAmount(entry.amount)}</td>
                <td class="number">{formatAmount(entry.balance_after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <button type="button" class="secondary" onClick={() => void read(cursor)}>
          Older entries
        </button>
      )}
    </section>
  )
}
