import { ErrorCatalogue } from '@shop/contracts'
import { readsExactly } from '../decimal.ts'
import { AppError, validationFailed } from '../errors.ts'

/**
 * The tokens of JSON text that `JSON.parse` has already accepted: a string (a name when a colon
 * follows), a number, or punctuation that tells where a value sits. Whitespace and `true`,
 * `false` and `null` match nothing and are skipped. In valid JSON every quote outside a string
 * opens one, so a string is always taken whole and nothing inside it is mistaken for a token.
 */
const TOKEN = /("[^"\\]*(?:\\.[^"\\]*)*")(\s*:)?|(-?\d[\d.eE+-]*)|[{}[\],]/g

/** An object or array being read: the names it has so far (none for an array) and where its current value sits. */
interface Container {
  names: Set<string> | undefined
  at: string | number
}

/**
 * What `JSON.parse` hides about a body it accepted, or undefined when there is nothing:
 * - a name given twice in one object: the last would silently win, so `{"amount":1,"amount":1000000}`
 *   would mean a million here and 1 to anything that keeps the first (a proxy, a log, an auditor);
 * - a number whose double is not the decimal written: `25.000000000000000001` would be read as 25
 *   and `1e-400` as 0, and no code that sees only the double could tell.
 * Pointers are computed only for the answer, so a deeply nested body costs one small entry per level.
 */
export function findAmbiguity(text: string): AppError | undefined {
  const open: Container[] = []
  TOKEN.lastIndex = 0
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const [token, string, colon, number] = match
    const current = open.at(-1)
    if (string !== undefined) {
      if (colon === undefined || current?.names === undefined) continue
      const name = string.includes('\\') ? (JSON.parse(string) as string) : string.slice(1, -1)
      current.at = name
      if (current.names.has(name)) return duplicateName(pointerOf(open))
      current.names.add(name)
    } else if (number !== undefined) {
      if (!readsExactly(number)) return inexactNumber(pointerOf(open), number)
    } else if (token === '{') open.push({ names: new Set(), at: '' })
    else if (token === '[') open.push({ names: undefined, at: 0 })
    else if (token === ',') {
      if (current && typeof current.at === 'number') current.at += 1
    } else open.pop()
  }
  return undefined
}

/** The JSON pointer (RFC 6901) of the value being read, as the schema validator names fields. */
const pointerOf = (open: Container[]) =>
  open.map(({ at }) => `/${String(at).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')

const duplicateName = (pointer: string) =>
  new AppError(
    ErrorCatalogue.duplicateJsonKey,
    `body${pointer} is given more than once in its object; each name may appear only once`,
    [{ field: pointer, message: 'appears more than once in its object' }],
  )

const inexactNumber = (pointer: string, token: string) => {
  const message = `must be exactly what is written: it would be read as ${String(Number(token))}`
  return validationFailed(`body${pointer} ${message}`, [{ field: pointer, message }])
}
