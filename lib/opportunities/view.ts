import { micros } from '@/lib/domain'
import type { TOpportunity, TOpportunityKind } from '@/lib/opportunities/schema'

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

const text = (o: TOpportunity, key: TSortKey) => (key === 'kind' ? KIND_LABEL[o.kind] : `${o.workflow_id}\u0000${o.step}`)

/** Sorted by money (exact, micro-dollars) or by text; ties keep the API's order (largest saving first). */
export function sortOpportunities(xs: readonly TOpportunity[], sort: TSort): TOpportunity[] {
  const sign = sort.dir === 'asc' ? 1 : -1
  return xs
    .map((o, i) => ({ o, i }))
    .sort((a, b) => {
      let d: number
      if (sort.key === 'savings') {
        const m = micros(a.o.savings_usd) - micros(b.o.savings_usd)
        d = m === 0n ? 0 : m > 0n ? 1 : -1
      } else d = text(a.o, sort.key).localeCompare(text(b.o, sort.key))
      return d * sign || a.i - b.i
    })
    .map(({ o }) => o)
}

/** The next sort when a column header is clicked: the same column flips, another starts descending for money, ascending for text. */
export const nextSort = (cur: TSort, key: TSortKey): TSort =>
  cur.key === key ? { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'savings' ? 'desc' : 'asc' }

const n = (x: number) => x.toLocaleString('en-US')

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
  const e = o.evidence
  return [
    `${n(e.retry_calls)} retry + ${n(e.error_calls)} error calls of ${n(e.step_calls)}`,
    ...(e.share_of_step_cost === null ? [] : [`${Math.round(e.share_of_step_cost * 1000) / 10}% of the step's spend`]),
    ...(e.unpriced_calls ? [`${n(e.unpriced_calls)} unpriced calls counted at $0`] : []),
  ]
}
