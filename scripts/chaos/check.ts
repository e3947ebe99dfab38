/** One verdict of a chaos run: a name, pass or fail, what was measured, and the first offenders. */
export interface Check {
  name: string
  ok: boolean
  detail: string
  evidence: string[]
}

export function check(name: string, problems: string[], detail: string): Check {
  return { name, ok: problems.length === 0, detail, evidence: problems.slice(0, 5) }
}

export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}

export const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0)
