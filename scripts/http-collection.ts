/**
 * `npm run collection`: writes the Postman collection of the gateway's API to
 * docs/shop.postman_collection.json, from the OpenAPI document the gateway builds (in this
 * process; nothing needs to run). Run it after changing a route; a test fails until you do.
 */
import { writeFile } from 'node:fs/promises'
import { COLLECTION_FILE, renderCollection } from './lib/http-collection/render.ts'

await writeFile(COLLECTION_FILE, await renderCollection())
console.log(`wrote ${COLLECTION_FILE}`)
