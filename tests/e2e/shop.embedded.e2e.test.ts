import { describeShopEndToEnd } from './shop-flows.ts'

describeShopEndToEnd('embedded', () => ({}))
