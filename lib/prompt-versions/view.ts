import type { TPromptVersionRow } from '@/lib/prompt-versions/schema'

// The workflow page's prompt-version table: each version beside the version of the same step before it (first seen
// first), so "did the new prompt raise output tokens?" reads as a change per version, not per date.

export type TPromptVersionView = TPromptVersionRow & {
  /** the step's previous version (null for its first in the range) */
  previous: string | null
  /** relative change of output tokens per call against the previous version (0.25 = +25%) */
  tokens_out_change: number | null
  tokens_in_change: number | null
  /** change of the cached share, in points of share (−0.3 = 30 points lower) */
  cached_share_change: number | null
  cost_per_run_change: number | null
}

const rel = (now: number | null, before: number | null) => (now === null || before === null || before === 0 ? null : now / before - 1)

export function promptVersionView(rows: readonly TPromptVersionRow[]): TPromptVersionView[] {
  const out: TPromptVersionView[] = []
  let prev: TPromptVersionRow | null = null
  for (const r of rows) {
    const p = prev && prev.step === r.step ? prev : null
    out.push({
      ...r,
      previous: p?.prompt_version ?? null,
      tokens_out_change: p ? rel(r.tokens_out_per_call, p.tokens_out_per_call) : null,
      tokens_in_change: p ? rel(r.tokens_in_per_call, p.tokens_in_per_call) : null,
      cached_share_change: p && r.cached_share !== null && p.cached_share !== null ? r.cached_share - p.cached_share : null,
      cost_per_run_change: p && r.cost_per_run_usd !== null && p.cost_per_run_usd !== null ? rel(Number(r.cost_per_run_usd), Number(p.cost_per_run_usd)) : null,
    })
    prev = r
  }
  return out
}

/** "+25%" / "−8%" (a true minus sign); "" for no change to show. */
export function signedPercent(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return ''
  const pct = Math.round(x * 100)
  return pct === 0 ? '±0%' : `${pct > 0 ? '+' : '−'}${Math.abs(pct)}%`
}
