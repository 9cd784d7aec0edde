// A Request for calling route handlers directly in integration tests, with an
// API key and a JSON body (objects are serialized; strings are sent as they are),
// and any other headers (a session cookie from lib/testing/session.ts, an Origin).
export function apiRequest(
  path: string,
  init: { method?: string; key?: string; body?: unknown; contentType?: string; headers?: Record<string, string> } = {},
): Request {
  const body = init.body === undefined || typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
  return new Request(`http://localhost${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      ...init.headers,
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(body !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}),
    },
    body: body as string | undefined,
  })
}
