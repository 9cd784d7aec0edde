import { createHash } from 'node:crypto'

// The hash chain of one organization's audit log. Each row's hash is sha256 over a canonical
// serialization of the previous row's hash and this row's own fields: JSON with object keys sorted at
// every depth, no whitespace. before/after are stored as jsonb (which reorders keys and keeps numbers
// exact), so the serialization sorts keys rather than trusting an order; the verifier recomputes the
// same string from the stored row.

export type TChainFields = {
  org_id: string
  seq: number
  at: Date
  actor_type: string
  actor_id: string | null
  actor_label: string
  action: string
  target_type: string
  target_id: string | null
  before: unknown
  after: unknown
}

/** JSON with sorted keys at every depth; undefined object members are left out, as JSON.stringify does. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null)
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`
  const o = v as Record<string, unknown>
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
}

/** sha256 (hex) of the previous hash ('' for an organization's first row) and this row's fields. */
export function chainHash(prevHash: string | null, f: TChainFields): string {
  const body = canonicalJson({ prev_hash: prevHash ?? '', ...f, at: f.at.toISOString() })
  return createHash('sha256').update(body).digest('hex')
}

/** A JSON view as jsonb will hand it back: Dates as ISO strings, undefined members gone. */
export const jsonView = (v: unknown): unknown =>
  v === undefined || v === null ? null : JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)))
