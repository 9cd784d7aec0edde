// Next.js Proxy (Next 16's name for middleware): runs before every page and
// puts the security headers of lib/http/security-headers.ts on its answer, with
// a Content-Security-Policy holding a fresh nonce per request. The policy is
// also set on the *request*, where Next.js reads the nonce while rendering and
// puts it on its own scripts (which is why every page renders per request: the
// root layout awaits connection()). API routes are not matched: Next.js buffers
// the body of every request its proxy sees, and API bodies are streamed against
// each route's own limit; their headers come from next.config.ts (and
// lib/http/fast.ts for server.ts's fast paths).
import { NextResponse, type NextRequest } from 'next/server'
import { env } from '@/lib/env'
import { newNonce, pageSecurityHeaders, servedOverHttps } from '@/lib/http/security-headers'
import { REQUEST_ID_HEADER, requestIdFrom } from '@/lib/http/request-id'

export function proxy(request: NextRequest): NextResponse {
  const https = servedOverHttps(request.headers.get('x-forwarded-proto'), env().NEXTAUTH_URL)
  const nonce = newNonce()
  const headers = pageSecurityHeaders(nonce, { dev: env().NODE_ENV === 'development', https })
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('x-nonce', nonce)
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy'])
  // The page's request id (lib/http/request-id.ts), when server.ts has not given it one (next dev, next start).
  const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER))
  requestHeaders.set(REQUEST_ID_HEADER, requestId)
  const res = NextResponse.next({ request: { headers: requestHeaders } })
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v)
  res.headers.set(REQUEST_ID_HEADER, requestId)
  return res
}

export const config = {
  // Every page: everything but API routes and the build's hashed static files (scripts, styles, fonts,
  // loaded under the page's policy).
  matcher: ['/((?!api/|_next/static/|_next/image).*)'],
}
