// The before/after of an audit entry as the fields that changed: flattened paths ("thresholds.1",
// "published.chosen.model"), each with its value before and after (undefined: absent on that side).
// Pure, for the Audit log page's diff view.

export type TFieldChange = { path: string; before: unknown; after: unknown; kind: 'added' | 'removed' | 'changed' }

function flatten(v: unknown, prefix: string, out: Map<string, unknown>): void {
  if (v !== null && typeof v === 'object' && Object.keys(v as object).length > 0) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(x, prefix ? `${prefix}.${k}` : k, out)
  } else if (prefix) {
    out.set(prefix, v)
  } else {
    out.set('(value)', v)
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** The changed fields, in path order; a created resource lists every field as added, a deleted one as removed. */
export function diffViews(before: unknown, after: unknown): TFieldChange[] {
  const a = new Map<string, unknown>()
  const b = new Map<string, unknown>()
  if (before !== null && before !== undefined) flatten(before, '', a)
  if (after !== null && after !== undefined) flatten(after, '', b)
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort()
  const out: TFieldChange[] = []
  for (const path of paths) {
    const inA = a.has(path)
    const inB = b.has(path)
    if (inA && inB && same(a.get(path), b.get(path))) continue
    out.push({ path, before: a.get(path), after: b.get(path), kind: !inA ? 'added' : !inB ? 'removed' : 'changed' })
  }
  return out
}
