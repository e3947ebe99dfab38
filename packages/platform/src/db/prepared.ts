import { createHash } from 'node:crypto'

export interface PreparedStatement {
  readonly name: string
  readonly text: string
}

/**
 * A statement each connection parses and plans once and afterwards only executes: node-postgres
 * prepares a named statement on first use per connection. For the statements every order runs,
 * where parsing and planning cost PostgreSQL more than executing. The name is derived from the
 * text, so no two texts can ever share one (PostgreSQL would refuse the second).
 */
export function prepared(text: string): PreparedStatement {
  return { name: `shop_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text }
}
