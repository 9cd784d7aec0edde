import { AppError } from '@/lib/errors'

// Cross-site request forgery, the second lock beside SameSite=Lax cookies: a
// change made with the browser's session cookie must come from a page of this
// app. Browsers send Origin on every POST, PUT, PATCH and DELETE (fetch and
// forms alike) and a page cannot forge it; Sec-Fetch-Site says the same where
// Origin is absent. API-key calls carry no cookie to abuse and are not checked
// (the callers decide: withOrg checks session-authenticated requests only).

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Whether the method can change anything (the check applies to these only). */
export const isMutation = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase())

const firstValue = (h: string | null): string | null => (h ? h.split(',')[0].trim() || null : null)

/**
 * The origins this request may come from: the app's public address
 * (NEXTAUTH_URL, when set), and the address the request itself was sent to —
 * its Host (or the X-Forwarded-Host a reverse proxy set) with the scheme the
 * client used. A cross-site page cannot change either: browsers set Host, and
 * a custom header such as X-Forwarded-Host needs a CORS preflight we never grant.
 */
export function ownOrigins(req: Request, appUrl: string | undefined): Set<string> {
  const url = new URL(req.url)
  const host = firstValue(req.headers.get('x-forwarded-host')) ?? req.headers.get('host') ?? url.host
  const proto = firstValue(req.headers.get('x-forwarded-proto'))?.toLowerCase() ?? url.protocol.replace(/:$/, '')
  const out = new Set<string>()
  try {
    out.add(new URL(`${proto}://${host}`).origin)
  } catch {
    // a Host that is no host: only NEXTAUTH_URL can match
  }
  if (appUrl) out.add(new URL(appUrl).origin)
  return out
}

/** Why a request is refused, or null when it comes from this app. */
export function crossOriginReason(req: Request, appUrl: string | undefined): string | null {
  const origin = req.headers.get('origin')
  const allowed = ownOrigins(req, appUrl)
  if (origin) {
    let normalized: string | null = null
    try {
      normalized = origin === 'null' ? null : new URL(origin).origin
    } catch {
      normalized = null
    }
    if (normalized && allowed.has(normalized)) return null
    return `the request came from ${origin === 'null' ? 'an opaque origin' : JSON.stringify(origin)}, not from ${[...allowed].join(' or ')}`
  }
  const site = req.headers.get('sec-fetch-site')
  if (site === 'same-origin') return null
  return site ? `the browser says the request is ${site}` : 'the request has no Origin header'
}

/** 403 unless a cookie-authenticated change comes from a page of this app. */
export function assertSameOrigin(req: Request, appUrl: string | undefined): void {
  const reason = crossOriginReason(req, appUrl)
  if (reason) {
    throw new AppError(
      'cross_origin_request',
      403,
      `Refused: a change made with a signed-in session must come from Outlay's own pages (${reason}). Scripts and services should use an API key.`,
    )
  }
}
