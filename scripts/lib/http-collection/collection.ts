import { LiveRoutes } from '@shop/contracts'
import { type OpenApiDocument, type Operation, openApiPath, operationsOf } from './openapi.ts'
import {
  BASE_URL_VARIABLE,
  POSTMAN_SCHEMA,
  type PostmanFolder,
  type PostmanKeyValue,
  requestItem,
  script,
  stableId,
} from './postman.ts'
import { seedFlowFolder } from './seed-flow.ts'

export const COLLECTION_NAME = 'Shop API'
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8000'

/** A v2.1 collection holds HTTP requests only; the live status WebSocket is left out. */
const NOT_HTTP = new Set([`${LiveRoutes.orderStatus.method} ${openApiPath(LiveRoutes.orderStatus.url)}`])

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1)

/** An operation's folder: its first tag. */
const folderOf = (operation: Operation) => operation.tags?.[0] ?? 'other'

/** The variables every `{{name}}` in the requests reads, in order of first use. */
function variablesOf(folders: PostmanFolder[]): PostmanKeyValue[] {
  const names = new Set<string>([BASE_URL_VARIABLE])
  for (const match of JSON.stringify(folders).matchAll(/\{\{(\w+)\}\}/g)) names.add(match[1] as string)
  return [...names].map((name) => ({
    key: name,
    value: name === BASE_URL_VARIABLE ? DEFAULT_BASE_URL : '',
  }))
}

/**
 * A Postman Collection (format v2.1) of the gateway's public API, made from its OpenAPI document:
 * the walk-through of the README as a folder to run, then one request per endpoint, grouped by tag.
 * Deterministic: the same document gives the same collection, byte for byte.
 */
export function buildCollection(document: OpenApiDocument) {
  const operations = operationsOf(document).filter(
    (operation) => !NOT_HTTP.has(`${operation.method} ${operation.path}`),
  )
  const tags = [...new Set(operations.map(folderOf))]
  const endpointFolders: PostmanFolder[] = tags.map((tag) => ({
    id: stableId(`folder:${tag}`),
    name: capitalised(tag),
    description: `One request per endpoint tagged ${tag}, with the examples of its schema.`,
    item: operations
      .filter((operation) => folderOf(operation) === tag)
      .map((operation) => requestItem(operation)),
  }))
  const folders = [seedFlowFolder(operations), ...endpointFolders]

  return {
    info: {
      _postman_id: stableId(`collection:${COLLECTION_NAME}`),
      name: COLLECTION_NAME,
      description:
        `${document.info.description ?? ''}\n\n` +
        `Generated from the gateway's OpenAPI document by \`npm run collection\`; do not edit by hand. ` +
        `Set \`${BASE_URL_VARIABLE}\` to the gateway (${DEFAULT_BASE_URL} by default). \`userId\` is made ` +
        'for you when empty (any UUID works: it is who you are), and the seed flow saves the id of the ' +
        'order it places in `orderId`. The live status WebSocket (`GET /ws?user_id=`) is not part of a ' +
        'collection of this format: open it with a WebSocket client.',
      schema: POSTMAN_SCHEMA,
    },
    item: folders,
    event: [
      script('prerequest', [
        '// Any UUID is a user: make one the first time, so single requests work at once.',
        "if (!pm.collectionVariables.get('userId')) {",
        "  pm.collectionVariables.set('userId', pm.variables.replaceIn('{{$guid}}'));",
        '}',
      ]),
    ],
    variable: variablesOf(folders),
  }
}

export type Collection = ReturnType<typeof buildCollection>
