import { normalizeUserId } from '../domain/user-id.ts'

export const USER_ID_KEY = 'shop.user-id'

/** The part of localStorage used here, so tests can hand in a Map-backed one. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>

/**
 * The visitor's user id: the one kept from an earlier visit, or a new one that is kept from now
 * on. Storage may be missing or refuse writes (some private modes): the id then lasts the visit.
 */
export function loadUserId(store: KeyValueStore | undefined, generate: () => string): string {
  let kept: string | null = null
  try {
    kept = store?.getItem(USER_ID_KEY) ?? null
  } catch {
    // Reading can throw where storage is disabled; treat it as empty.
  }
  const valid = kept === null ? undefined : normalizeUserId(kept)
  if (valid) return valid
  const fresh = generate()
  saveUserId(store, fresh)
  return fresh
}

export function saveUserId(store: KeyValueStore | undefined, userId: string): void {
  try {
    store?.setItem(USER_ID_KEY, userId)
  } catch {
    // Full or disabled storage: the id still works for this visit.
  }
}
