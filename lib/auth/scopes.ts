// API key scopes: the one list (the key API's schema, the key creation form, the access matrix).
// Client-safe: no server imports (the Settings page's form reads it in the browser).
export const KEY_SCOPES = ['ingest', 'read', 'write', 'gateway'] as const
export type TKeyScope = (typeof KEY_SCOPES)[number]

/** What each scope lets a key do, as the key creation form says it. */
export const SCOPE_LABELS: Record<TKeyScope, string> = {
  ingest: 'ingest (send events)',
  read: 'read (metrics)',
  write: 'write (prices)',
  gateway: 'gateway (call models through Outlay)',
}
