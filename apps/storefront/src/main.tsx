import { render } from 'preact'
import { createShopApi } from './api/shop-api.ts'
import { newUserId } from './domain/user-id.ts'
import { liveStatusUrl } from './live/live-status.ts'
import { App } from './ui/App.tsx'
import './styles.css'

/** localStorage, or nothing where the browser refuses it (some private modes throw on access). */
function browserStore(): Storage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined
  }
}

const root = document.getElementById('app')
if (root) {
  render(
    <App
      api={createShopApi((input, init) => fetch(input, init))}
      store={browserStore()}
      newUserId={() => newUserId(crypto)}
      liveUrl={(userId) => liveStatusUrl(window.location, userId)}
      copy={(text) => navigator.clipboard.writeText(text)}
    />,
    root,
  )
}
