/**
 * A stable 31-bit FNV-1a hash. It picks a key's partition (so one order's messages share a
 * partition and keep their order) and names advisory locks, where PostgreSQL wants int4 keys.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) & 0x7fffffff
}

export const partitionFor = (key: string, partitions: number) => stableHash(key) % partitions

export const BROKER_CHANNEL = 'shop_broker'
