// Next.js Proxy (Next 16's name for middleware): runs before every page and
// API route that Next.js serves and puts the security headers of
// lib/http/security-headers.ts on the answer. Pages get a Content-Security-Policy
// with a fresh nonce per request; the policy is also set on the *request*,
// where Next.js reads the nonce while rendering and puts it on its own scripts
// (which is why every page renders dynamically: the root layout awaits
// connection()). The API-key fast paths of server.ts never reach here; they
// add the same API headers themselves (lib/http/fast.ts).
import { NextResponse, type NextRequest } from 'next/server'
import { env } from '@/lib/env'
import { apiSecurityHeaders, newNonce, pageSecurityHeaders, servedOverHttps } from '@/lib/http/security-headers'

export function proxy(request: NextRequest): NextResponse {
  const https = servedOverHttps(request.headers.get('x-forwarded-proto'), env().NEXTAUTH_URL)
  if (request.nextUrl.pathname.startsWith('/api/')) {
    const res = NextResponse.next()
    for (const [k, v] of Object.entries(apiSecurityHeaders({ https }))) res.headers.set(k, v)
    return res
  }
  const nonce = newNonce()
  const headers = pageSecurityHeaders(nonce, { dev: env().NODE_ENV === 'development', https })
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('x-nonce', nonce)
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy'])
  const res = NextResponse.next({ request: { headers: requestHeaders } })
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v)
  return res
}

export const config = {
  // Everything but the build's hashed static files (scripts, styles, fonts: immutable, and loaded under the page's policy).
  matcher: ['/((?!_next/static|_next/image).*)'],
}
