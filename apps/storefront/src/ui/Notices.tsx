import type { ShopState } from '../state/shop-state.ts'

export interface NoticesProps {
  error: ShopState['error']
  announcement: ShopState['announcement']
  onDismiss(): void
  onRetry(): void
}

/**
 * What is said rather than shown in place: errors of background reads (the forms show their own),
 * and, for screen readers, each status change and completed action as it happens.
 */
export function Notices({ error, announcement, onDismiss, onRetry }: NoticesProps) {
  return (
    <>
      {error?.source === 'load' && (
        <div class="banner" role="alert">
          <p>{error.text}</p>
          <div class="button-row">
            <button type="button" class="secondary" onClick={onRetry}>
              Try again
            </button>
            <button type="button" class="secondary" onClick={onDismiss}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {announcement && <p key={announcement.id}>{announcement.text}</p>}
      </div>
    </>
  )
}
