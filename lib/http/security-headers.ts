// The browser-facing security headers, owned here and nowhere else, put on
// answers in three places:
// - pages: proxy.ts, per request (the CSP carries a fresh nonce);
// - API answers Next.js gives: next.config.ts's headers() (apiHeaderRules) —
//   not the proxy, which would make Next.js buffer every API request body (up
//   to 10 MB) before the route's own size limit could refuse it;
// - API answers of server.ts's fast paths, which never reach Next.js: lib/http/fast.ts.
// HSTS needs https, known per request: see servedOverHttps.

/** Headers every answer carries, page or API. */
const COMMON: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  // frame-ancestors 'none' in the CSP is the modern form; X-Frame-Options covers browsers that predate it.
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // Outlay uses none of these; a script that got in could not turn them on either. Only features every
  // current browser recognises: an unknown one logs an error in the console of every page.
  'Permissions-Policy':
    'accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
}

// Two years, subdomains included: sent only when the app is served over https (servedOverHttps), where a
// browser honours it; over plain http browsers ignore the header, and a local install must stay reachable.
export const HSTS = 'max-age=63072000; includeSubDomains'

/** An API answer is JSON, never a document: it may load nothing and be framed by nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

export type TPolicyOptions = {
  /** `next dev`: React's dev tooling evaluates code (server error stacks), so 'unsafe-eval' then, and only then. */
  dev: boolean
  /** served over https: HSTS, and plain-http subresources are upgraded */
  https: boolean
}

/**
 * The Content-Security-Policy of a page. Scripts: only those carrying this
 * request's nonce (Next.js puts it on its own scripts and inline payloads when
 * it finds the policy on the request, see proxy.ts) and what they load
 * ('strict-dynamic'); no 'unsafe-inline'. Styles keep 'unsafe-inline': recharts
 * and React `style` attributes set inline styles, which no nonce can cover —
 * and a nonce in style-src would make browsers ignore 'unsafe-inline'.
 */
export function pageCsp(nonce: string, o: TPolicyOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${o.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(o.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ')
}

/** Every header of a page's answer. */
export function pageSecurityHeaders(nonce: string, o: TPolicyOptions): Record<string, string> {
  return { ...COMMON, 'Content-Security-Policy': pageCsp(nonce, o), ...(o.https ? { 'Strict-Transport-Security': HSTS } : {}) }
}

/** Every header of an API answer (Next.js routes and the fast paths alike). */
export function apiSecurityHeaders(o: { https: boolean }): Record<string, string> {
  return { ...COMMON, 'Content-Security-Policy': API_CSP, ...(o.https ? { 'Strict-Transport-Security': HSTS } : {}) }
}

type THeaderRule = { source: string; has?: { type: 'header'; key: string; value: string }[]; headers: { key: string; value: string }[] }

/**
 * next.config.ts's headers() for API answers given by Next.js. These rules are
 * fixed at build time, so HSTS is decided by the request's X-Forwarded-Proto
 * alone (an https deployment always has a TLS proxy in front: server.ts speaks
 * plain http); pages and the fast paths also honour an https NEXTAUTH_URL.
 */
export function apiHeaderRules(): THeaderRule[] {
  const list = (h: Record<string, string>) => Object.entries(h).map(([key, value]) => ({ key, value }))
  return [
    { source: '/api/:path*', headers: list(apiSecurityHeaders({ https: false })) },
    // Next.js anchors the value: "https", or "https, …" when proxies chain (the first hop is the client's).
    {
      source: '/api/:path*',
      has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https(?:\\s*,.*)?' }],
      headers: [{ key: 'Strict-Transport-Security', value: HSTS }],
    },
  ]
}

/**
 * Whether the browser reached us over https: NEXTAUTH_URL is https (the public
 * address of the app), or the TLS-terminating proxy in front says so in
 * X-Forwarded-Proto (its first value, the client's hop). A forged header only
 * adds HSTS to a plain-http answer, which browsers ignore there.
 */
export function servedOverHttps(forwardedProto: string | null | undefined, appUrl: string | undefined): boolean {
  if (appUrl && /^https:/i.test(appUrl)) return true
  return (forwardedProto ?? '').split(',')[0].trim().toLowerCase() === 'https'
}

/** A fresh, unguessable nonce for one page request: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Buffer.from(bytes).toString('base64')
}
