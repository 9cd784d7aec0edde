// Where a sign-in may send the user afterwards: only a path of this app. An
// absolute URL, a protocol-relative "//evil.example", "/\evil.example" (browsers
// read the backslash as a slash) and paths hiding tabs or newlines (browsers
// strip them, turning "/\t/evil" into "//evil") all fall back to "/".
// Client-safe: no server imports (the sign-in form uses it too).

const BASE = 'http://outlay.invalid'

/** A same-origin relative path ("/x?y#z") from untrusted input, else `fallback`. */
export function safeCallbackPath(raw: string | null | undefined, fallback = '/'): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return fallback
  if (!raw.startsWith('/') || raw.startsWith('//')) return fallback
  // backslashes and control characters (incl. tab, CR, LF, DEL) anywhere: refused rather than interpreted
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return fallback
  let u: URL
  try {
    u = new URL(raw, BASE)
  } catch {
    return fallback
  }
  if (u.origin !== BASE) return fallback
  return `${u.pathname}${u.search}${u.hash}`
}

/**
 * next-auth's redirect callback: a relative path is kept when safe, an absolute
 * URL only when it is on this app's own origin; anything else goes home.
 */
export function safeRedirect(url: string, baseUrl: string): string {
  const base = new URL(baseUrl)
  if (url.startsWith('/')) {
    const path = safeCallbackPath(url, '')
    return path ? `${base.origin}${path}` : base.origin
  }
  try {
    const u = new URL(url)
    if (u.origin === base.origin) return u.href
  } catch {
    // not a URL
  }
  return base.origin
}
