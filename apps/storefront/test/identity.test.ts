import { describe, expect, it } from 'vitest'
import { newUserId, normalizeUserId } from '../src/domain/user-id.ts'
import { type KeyValueStore, loadUserId, saveUserId, USER_ID_KEY } from '../src/identity/identity-store.ts'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const memoryStore = (entries: Record<string, string> = {}) => {
  const map = new Map(Object.entries(entries))
  return {
    map,
    store: {
      getItem: (key: string) => map.get(key) ?? null,
      setItem: (key: string, value: string) => void map.set(key, value),
    } satisfies KeyValueStore,
  }
}

const brokenStore: KeyValueStore = {
  getItem: () => {
    throw new Error('SecurityError')
  },
  setItem: () => {
    throw new Error('QuotaExceededError')
  },
}

describe('the user id', () => {
  it.each([
    ['7c9e6679-7425-40de-944b-e07fc1f90ae7', '7c9e6679-7425-40de-944b-e07fc1f90ae7'],
    ['  7C9E6679-7425-40DE-944B-E07FC1F90AE7 ', '7c9e6679-7425-40de-944b-e07fc1f90ae7'],
  ])('when "%s" is pasted, then it is the user id %s', (text, userId) => {
    expect(normalizeUserId(text)).toBe(userId)
  })

  it.each([
    '',
    'alice',
    '7c9e6679-7425-40de-944b-e07fc1f90ae',
    '7c9e6679742540de944be07fc1f90ae7',
    'urn:uuid:x',
  ])('when "%s" is pasted, then it is not a user id', (text) => {
    expect(normalizeUserId(text)).toBeUndefined()
  })

  it('when the browser has crypto.randomUUID, then a new id comes from it', () => {
    const given = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
    expect(newUserId({ randomUUID: () => given, getRandomValues: (bytes) => bytes })).toBe(given)
  })

  it('when the page is not a secure context (no randomUUID), then a new id is still a random v4 UUID', () => {
    expect(newUserId({ getRandomValues: (bytes) => globalThis.crypto.getRandomValues(bytes) })).toMatch(
      UUID_V4,
    )
    // The version and variant bits are set whatever the random bytes are.
    expect(newUserId({ getRandomValues: (bytes) => bytes.fill(0xff) })).toBe(
      'ffffffff-ffff-4fff-bfff-ffffffffffff',
    )
    expect(newUserId({ getRandomValues: (bytes) => bytes.fill(0) })).toBe(
      '00000000-0000-4000-8000-000000000000',
    )
  })

  it('when a visitor comes back, then the kept user id is theirs again', () => {
    const { store } = memoryStore({ [USER_ID_KEY]: '7C9E6679-7425-40DE-944B-E07FC1F90AE7' })
    expect(loadUserId(store, () => 'unused')).toBe('7c9e6679-7425-40de-944b-e07fc1f90ae7')
  })

  it('when a visitor comes for the first time (or the kept id is garbage), then a new id is made and kept', () => {
    for (const entries of [{}, { [USER_ID_KEY]: 'garbage' }] as Record<string, string>[]) {
      const { store, map } = memoryStore(entries)
      expect(loadUserId(store, () => 'fresh-id')).toBe('fresh-id')
      expect(map.get(USER_ID_KEY)).toBe('fresh-id')
    }
  })

  it('when storage is missing or refuses, then the id still works for the visit', () => {
    expect(loadUserId(undefined, () => 'fresh-id')).toBe('fresh-id')
    expect(loadUserId(brokenStore, () => 'fresh-id')).toBe('fresh-id')
    expect(() => saveUserId(brokenStore, 'x')).not.toThrow()
  })
})
