import { formatUsd } from '@/lib/format'
import type { TOpportunity, TOpportunityKind } from '@/lib/opportunities/schema'
import { moneyKey, nextSort as nextTableSort, sortRows, type TSortValue } from '@/lib/table/sort'

// The Opportunities page's pure logic (client-safe, unit-tested): labels, the
// evidence in words, and the table's sort.

export const KIND_LABEL: Record<TOpportunityKind, string> = {
  response_cache: 'Response cache',
  retries: 'Retries and errors',
  uncapped_output: 'Output cap',
  prompt_cache: 'Prompt cache',
  cheaper_model: 'Cheaper model',
  gpu_rightsizing: 'GPU right-sizing',
}

export type TSortKey = 'savings' | 'kind' | 'step'
export type TSort = { key: TSortKey; dir: 'asc' | 'desc' }
export const DEFAULT_SORT: TSort = { key: 'savings', dir: 'desc' }

const text = (o: TOpportunity, key: TSortKey) =>
  key === 'kind' ? KIND_LABEL[o.kind] : o.kind === 'gpu_rightsizing' ? `\u0000${o.evidence.pool}` : `${o.workflow_id}\u0000${o.step}`

/** The sortable columns (lib/table/sort.ts: money by micro-dollars, text by locale). */
export const OPPORTUNITY_SORT_COLUMNS: Record<TSortKey, (o: TOpportunity) => TSortValue> = {
  savings: (o) => moneyKey(o.savings_usd),
  kind: (o) => text(o, 'kind'),
  step: (o) => text(o, 'step'),
}

/** Sorted by money (exact, micro-dollars) or by text; ties keep the API's order (largest saving first). */
export const sortOpportunities = (xs: readonly TOpportunity[], sort: TSort): TOpportunity[] => sortRows(xs, OPPORTUNITY_SORT_COLUMNS[sort.key], sort.dir)

/** The next sort when a column header is clicked: the same column flips, another starts descending for money, ascending for text. */
export const nextSort = (cur: TSort, key: TSortKey): TSort => nextTableSort(cur, key, key === 'savings' ? 'desc' : 'asc')

const n = (x: number) => x.toLocaleString('en-US')
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`

/** The routing policy editor with a change drafted (components/routing reads these parameters; nothing is saved or published). */
export function routingDraftPath(d: {
  workflow_id: string
  step: string
  candidate?: string
  max_tokens_cap?: number
  cache_ttl_s?: number
  saving?: string
}): string {
  const q = new URLSearchParams({ workflow: d.workflow_id, step: d.step })
  if (d.candidate) q.set('candidate', d.candidate)
  if (d.max_tokens_cap !== undefined) q.set('max_tokens_cap', String(d.max_tokens_cap))
  if (d.cache_ttl_s !== undefined) q.set('cache_ttl_s', String(d.cache_ttl_s))
  if (d.saving) q.set('saving', d.saving)
  return `routing?${q.toString()}`
}

/** The response cache TTL an action drafts: a day. */
export const DRAFT_CACHE_TTL_S = 86_400

/** An action's link: /<org>/<path> with the page's range added to its query, before any #fragment. */
export function actionHref(org: string, path: string, range: string | number): string {
  const hash = path.indexOf('#')
  const [base, frag] = hash >= 0 ? [path.slice(0, hash), path.slice(hash)] : [path, '']
  return `/${org}/${base}${base.includes('?') ? '&' : '?'}range=${encodeURIComponent(String(range))}${frag}`
}

/** Where an opportunity is: workflow / step, or the pool for gpu_rightsizing. */
export const placeOf = (o: TOpportunity): string => (o.kind === 'gpu_rightsizing' ? `GPU pool ${o.evidence.pool}` : `${o.workflow_id} / ${o.step}`)

/** The evidence as short counts for the table. */
export function evidenceLines(o: TOpportunity): string[] {
  if (o.kind === 'response_cache') {
    const e = o.evidence
    return [
      `${n(e.repeat_calls)} repeat calls of ${n(e.hashed_calls)} with an input_hash`,
      `${n(e.distinct_inputs)} distinct inputs first seen in the range`,
      e.deterministic_share === null
        ? 'deterministic: unknown (no output_hash)'
        : `deterministic: ${Math.round(e.deterministic_share * 100)}% (${n(e.output_matched)} of ${n(e.output_compared)} same output_hash)`,
      ...(e.unpriced_repeats ? [`${n(e.unpriced_repeats)} unpriced repeats counted at $0`] : []),
    ]
  }
  if (o.kind === 'uncapped_output') {
    const e = o.evidence
    return [
      `${n(e.uncapped_calls)} of ${n(e.calls)} calls uncapped (${n(e.no_cap_calls)} without max_tokens)`,
      `output tokens p50 ${n(e.p50_tokens_out)} · p95 ${n(e.p95_tokens_out)} · p99 ${n(e.p99_tokens_out)} · max ${n(e.max_tokens_out)}`,
      `${n(e.excess_tokens_out)} tokens above the p95 in ${n(e.over_p95_calls)} calls`,
      ...(e.unpriced_calls ? [`${n(e.unpriced_calls)} unpriced calls counted at $0`] : []),
    ]
  }
  if (o.kind === 'prompt_cache') {
    const e = o.evidence
    return [
      `${n(e.calls)} calls averaging ${n(e.tokens_in_per_call)} input tokens`,
      `cached ${pct(e.cached_share)} of input${e.previous_cached_share === null ? '' : ` (before: ${pct(e.previous_cached_share)})`}; estimate at ${pct(e.target_cached_share)}`,
      `input $${e.input_per_mtok} vs cached $${e.cached_input_per_mtok} per million tokens`,
    ]
  }
  if (o.kind === 'cheaper_model') {
    const e = o.evidence
    return [
      `${e.candidate} clears the bar: ${e.quality_bar.map((b) => `${b.metric} ${b.score ?? '—'} ≥ ${b.min}`).join(', ')}`,
      `${n(e.calls)} production calls on ${e.current_models.map((m) => m.model).join(', ')}: $${e.actual_cost_usd} → $${e.estimated_cost_usd}`,
      `$${e.candidate_cost_per_call_usd} per call (${e.cost_source === 'traffic' ? 'measured on the step' : "price × the step's average call"})`,
    ]
  }
  if (o.kind === 'gpu_rightsizing') {
    const e = o.evidence
    return [
      `${e.pool} (${e.role}): ${n(e.needed_gpus)} of ${n(e.gpu_count)} GPUs needed, release ${n(e.release_gpus)}`,
      `utilization avg ${pct(e.avg_utilization)}, p95 ${pct(e.p95_utilization)} over ${e.window_days} days (${n(e.hours_measured)} hours measured)`,
    ]
  }
  const e = o.evidence
  return [
    `${n(e.retry_calls)} retry + ${n(e.error_calls)} error calls of ${n(e.step_calls)}`,
    ...(e.rerun_calls ? [`${n(e.rerun_calls)} re-runs after the step had succeeded in the run: ${formatUsd(e.rerun_cost_usd)}`] : []),
    ...(e.share_of_step_cost === null ? [] : [`${Math.round(e.share_of_step_cost * 1000) / 10}% of the step's spend`]),
    ...(e.unpriced_calls ? [`${n(e.unpriced_calls)} unpriced calls counted at $0`] : []),
  ]
}
