/** The value of JSON text that passes `check`, or undefined for anything else; never throws. */
export function readJson<Value>(text: unknown, check: (value: unknown) => boolean): Value | undefined {
  if (typeof text !== 'string') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return check(value) ? (value as Value) : undefined
}
