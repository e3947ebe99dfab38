import { fileURLToPath } from 'node:url'
import { buildCollection } from './collection.ts'
import { gatewayOpenApi } from './gateway-openapi.ts'

/** Where the collection is committed, for people to import. */
export const COLLECTION_FILE = fileURLToPath(
  new URL('../../../docs/shop.postman_collection.json', import.meta.url),
)

/** The collection file's text, exactly as `npm run collection` writes it. */
export async function renderCollection(): Promise<string> {
  return `${JSON.stringify(buildCollection(await gatewayOpenApi()), null, 2)}\n`
}
