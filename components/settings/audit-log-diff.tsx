import { diffViews } from '@/lib/audit/diff'
import type { TAuditEntry } from '@/lib/audit/schema'

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v))

/** One entry's before/after: the fields that changed, old value struck through beside the new one. */
export function AuditLogDiff({ entry }: { entry: TAuditEntry }) {
  const changes = diffViews(entry.before, entry.after)
  if (changes.length === 0) return <p className="text-sm text-slate-600">No field changed.</p>
  return (
    <table className="w-full text-sm" data-testid="audit-diff">
      <thead>
        <tr className="text-left text-xs uppercase text-slate-500">
          <th className="py-1 pr-4 font-medium">Field</th>
          <th className="py-1 pr-4 font-medium">Before</th>
          <th className="py-1 font-medium">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.path} className="border-t border-slate-100 align-top">
            <td className="py-1 pr-4 font-mono text-xs text-slate-700">{c.path}</td>
            <td className="py-1 pr-4 font-mono text-xs">
              {c.kind === 'added' ? <span className="text-slate-400">—</span> : <del className="bg-rose-50 text-rose-800">{show(c.before)}</del>}
            </td>
            <td className="py-1 font-mono text-xs">
              {c.kind === 'removed' ? (
                <span className="text-slate-400">—</span>
              ) : (
                <ins className="bg-emerald-50 text-emerald-800 no-underline">{show(c.after)}</ins>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
