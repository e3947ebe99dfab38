/** The public API as the load driver and the checks call it: through the shop client, never throwing. */
import { type ShopAnswer, shopClient } from '../lib/shop-client.ts'

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field where they are used
export type HttpResult = ShopAnswer<any>

export function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  userId: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return shopClient(base).call(method, path, userId, body, { headers })
}

/** Whether the gateway's OpenAPI document gives the route an Idempotency-Key header. */
export async function acceptsIdempotencyKey(base: string, path: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/docs/json`, { signal: AbortSignal.timeout(5_000) })
    const document = (await response.json()) as {
      paths?: Record<string, { post?: { parameters?: { in: string; name: string }[] } }>
    }
    const parameters = document.paths?.[path]?.post?.parameters ?? []
    return parameters.some((parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key')
  } catch {
    return false
  }
}
