import { lastPlacedOrder } from '../state/shop-state.ts'
import { AccountPanel } from './AccountPanel.tsx'
import { IdentityPanel } from './IdentityPanel.tsx'
import { LiveBadge } from './LiveBadge.tsx'
import { Notices } from './Notices.tsx'
import { OrderForm } from './OrderForm.tsx'
import { OrderList } from './OrderList.tsx'
import { SignedInPanel } from './SignedInPanel.tsx'
import { StatementPanel } from './StatementPanel.tsx'
import { type ShopDeps, useShop } from './use-shop.ts'

export interface AppProps extends ShopDeps {
  copy(text: string): Promise<void>
  /** In oidc mode: who signed in, shown in place of the user id panel, and how to sign out. */
  account?: { name: string; signOut(): void }
}

export function App({ copy, account, ...deps }: AppProps) {
  const shop = useShop(deps)
  const { state } = shop
  const errorOf = (source: NonNullable<typeof state.error>['source']) =>
    state.error?.source === source ? state.error.text : undefined

  return (
    <div class="page">
      <header class="masthead">
        <h1>Shop</h1>
        <LiveBadge connection={state.connection} />
      </header>
      <Notices
        error={state.error}
        announcement={state.announcement}
        onDismiss={shop.dismissError}
        onRetry={shop.retryLoad}
      />
      <main class="layout">
        <div class="column">
          {account ? (
            <SignedInPanel name={account.name} onSignOut={account.signOut} />
          ) : (
            <IdentityPanel
              userId={state.userId}
              onSwitch={shop.switchUser}
              newUserId={deps.newUserId}
              copy={copy}
            />
          )}
          <AccountPanel
            // A new user id starts with empty forms.
            key={state.userId}
            account={state.account}
            openError={errorOf('account')}
            topUpError={errorOf('topup')}
            onOpen={shop.openAccount}
            onTopUp={shop.topUp}
            onRetry={shop.retryLoad}
            newKey={deps.newUserId}
          />
          <OrderForm
            key={state.userId}
            error={errorOf('order')}
            lastPlaced={lastPlacedOrder(state)}
            onPlace={shop.placeOrder}
            newKey={deps.newUserId}
          />
        </div>
        <div class="column">
          <OrderList
            orders={state.orders}
            loaded={state.ordersLoaded}
            actions={{ ...shop, newKey: deps.newUserId }}
          />
          <StatementPanel
            // Another user's statement is not this one's.
            key={state.userId}
            actions={shop}
          />
        </div>
      </main>
      <footer class="footer quiet">
        The API behind this page is documented at <a href="/docs">/docs</a>.
      </footer>
    </div>
  )
}
