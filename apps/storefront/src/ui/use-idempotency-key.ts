import { useRef } from 'preact/hooks'

/**
 * One Idempotency-Key per intended action: sending the same form again after a lost answer
 * reuses it (and so cannot order twice), while editing the form or succeeding starts a new one.
 */
export function useIdempotencyKey(newKey: () => string) {
  const key = useRef<string | undefined>(undefined)
  return {
    current: () => {
      key.current ??= newKey()
      return key.current
    },
    reset: () => {
      key.current = undefined
    },
  }
}
