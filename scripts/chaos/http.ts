/** The public API as the load driver and the checks call it: through the gateway, never throwing. */

export interface HttpResult {
  /** 0 when no answer came (connection refused or reset, timeout). */
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field where they are used
  body: any
  headers: Headers | undefined
  error?: string
}

const TIMEOUT_MS = 15_000

export async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  userId: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { 'x-user-id': userId, ...extraHeaders }
  if (body !== undefined) headers['content-type'] = 'application/json'
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = text
    }
    return { status: response.status, body: parsed, headers: response.headers }
  } catch (error) {
    return { status: 0, body: undefined, headers: undefined, error: String(error) }
  }
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
