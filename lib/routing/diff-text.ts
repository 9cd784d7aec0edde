// A policy version's changes and rules as a person reads them ("Output cap:
// none → 512 tokens"), for the version history: the API keeps the raw
// {field, from, to} (lib/routing/select.ts diffSpecs); the page shows this.
// Pure.
import { fallbackChain, refKey, type TModelRef, type TPolicySpec } from '@/lib/routing/schema'
import type { TSpecChange } from '@/lib/routing/select'

export type TChangeLine = { field: string; label: string; from: string; to: string }

const FIELD_LABELS: Record<string, string> = {
  candidates: 'Candidates',
  selection: 'Selection',
  eval_set: 'Eval set',
  cascade: 'Cascade',
  fallback: 'Fallback',
  fallbacks: 'Further fallbacks',
  max_tokens_cap: 'Output cap',
  cache_ttl_s: 'Response cache',
  canary: 'Canary',
}

const isRef = (x: unknown): x is TModelRef =>
  typeof x === 'object' && x !== null && typeof (x as TModelRef).provider === 'string' && typeof (x as TModelRef).model === 'string'

const CONFIDENCE_FROM: Record<string, string> = {
  reported: 'the reported confidence',
  json_field: 'the JSON field',
  first_token_logprob: "the first token's probability",
}

/** One field's value in words; null: what its absence means. */
export function valueText(field: string, v: unknown): string {
  const base = field.startsWith('quality_bar.') ? 'quality_bar' : field
  if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) {
    return (
      {
        quality_bar: 'not required',
        eval_set: 'any set (latest result)',
        cascade: 'none',
        fallback: 'none',
        fallbacks: 'none',
        max_tokens_cap: 'none',
        cache_ttl_s: 'off',
        canary: 'none (all traffic)',
        candidates: '—',
      }[base] ?? '—'
    )
  }
  switch (base) {
    case 'quality_bar':
      return `≥ ${v}`
    case 'selection':
      return v === 'cheapest_clearing' ? 'cheapest clearing the bar' : String(v)
    case 'max_tokens_cap':
      return `${Number(v).toLocaleString('en-US')} tokens`
    case 'cache_ttl_s':
      return `${Number(v).toLocaleString('en-US')} s`
    case 'canary': {
      const c = v as NonNullable<TPolicySpec['canary']>
      return `${c.share_pct}% of ${c.stable_by === 'run_id' ? 'runs' : 'accounts'}`
    }
    case 'cascade': {
      const c = v as NonNullable<TPolicySpec['cascade']>
      const from = c.confidence_from ?? 'reported'
      const where = from === 'json_field' && c.confidence_field ? `${CONFIDENCE_FROM[from]} ${c.confidence_field}` : (CONFIDENCE_FROM[from] ?? from)
      return `${c.models.map(refKey).join(' → ')}, escalating below ${c.confidence_threshold} (${where})`
    }
    case 'fallbacks':
      return Array.isArray(v) ? v.map((m) => (isRef(m) ? refKey(m) : String(m))).join(', ') : String(v)
    default:
      if (isRef(v)) return refKey(v)
      if (typeof v === 'object') return JSON.stringify(v) // not reached for today's fields: a field added later still shows
      return String(v)
  }
}

/** The changes of one version against the one before, in words: "Candidates: — → openai/gpt-4o" becomes "added openai/gpt-4o". */
export function changeLines(changes: TSpecChange[]): TChangeLine[] {
  return changes.map((c) => {
    const label = c.field.startsWith('quality_bar.') ? `Quality bar: ${c.field.slice('quality_bar.'.length)}` : (FIELD_LABELS[c.field] ?? c.field)
    if (c.field === 'candidates')
      return { field: c.field, label, from: c.from === null ? '—' : String(c.from), to: c.to === null ? 'removed' : `added ${String(c.to)}` }
    return { field: c.field, label, from: valueText(c.field, c.from), to: valueText(c.field, c.to) }
  })
}

/** A version's rules in words (its first version, and the read-only view): one {label, value} per rule. */
export function specLines(s: TPolicySpec): { label: string; value: string }[] {
  return [
    { label: 'Candidates', value: s.candidates.map(refKey).join(', ') },
    {
      label: 'Quality bar',
      value: s.quality_bar.length ? s.quality_bar.map((q) => `${q.metric} ≥ ${q.min}`).join(', ') : 'none (every candidate clears)',
    },
    { label: 'Selection', value: valueText('selection', s.selection) },
    { label: 'Eval set', value: valueText('eval_set', s.eval_set) },
    { label: 'Cascade', value: valueText('cascade', s.cascade) },
    { label: 'Fallbacks', value: valueText('fallbacks', fallbackChain(s)) },
    { label: 'Output cap', value: valueText('max_tokens_cap', s.max_tokens_cap ?? null) },
    { label: 'Response cache', value: valueText('cache_ttl_s', s.cache_ttl_s ?? null) },
    { label: 'Canary', value: valueText('canary', s.canary) },
  ]
}
