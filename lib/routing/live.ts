// The live view of a policy's step: per UTC day, the share of calls per model,
// the escalation and fallback rates and the cost per call, with the days a
// version was published. Pure: prepared from metrics rows (bucket, provider,
// model, outcome) and the policy's versions; the chart only draws.
import { DAY_MS, micros, microsToUsd } from '@/lib/domain'
import { divRound } from '@/lib/cost/money'

export type TLiveMetricsRow = { bucket?: string; provider?: string | null; model?: string | null; outcome?: string | null; events: number; cost_usd: string }
export type TLiveDay = {
  day: string
  calls: number
  /** model → share of the day's calls (0..1) */
  shares: Record<string, number>
  escalation_rate: number | null
  fallback_rate: number | null
  /** exact USD decimal; null on a day without calls */
  cost_per_call_usd: string | null
  /** versions published that day */
  published: number[]
}
export type TLiveView = { days: TLiveDay[]; models: string[] }

const TOP_MODELS = 6

export function prepareLive(rows: TLiveMetricsRow[], versions: { version: number; published_at: string | null }[], from: string, to: string): TLiveView {
  const days: string[] = []
  for (let t = Date.parse(from.slice(0, 10)); t < Date.parse(to); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10))
  const totals = new Map<string, number>()
  for (const r of rows) {
    const m = `${r.provider ?? ''}/${r.model ?? '(none)'}`
    totals.set(m, (totals.get(m) ?? 0) + r.events)
  }
  const top = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_MODELS)
    .map(([m]) => m)
  const models = totals.size > TOP_MODELS ? [...top, 'other'] : top
  const out = days.map((day) => {
    const mine = rows.filter((r) => r.bucket?.slice(0, 10) === day)
    const calls = mine.reduce((s, r) => s + r.events, 0)
    const by = (o: string) => mine.filter((r) => r.outcome === o).reduce((s, r) => s + r.events, 0)
    const shares: Record<string, number> = {}
    for (const r of mine) {
      const m = `${r.provider ?? ''}/${r.model ?? '(none)'}`
      const k = top.includes(m) ? m : 'other'
      shares[k] = (shares[k] ?? 0) + r.events / calls
    }
    const cost = mine.reduce((s, r) => s + micros(r.cost_usd), 0n)
    return {
      day,
      calls,
      shares,
      escalation_rate: calls ? by('escalation') / calls : null,
      fallback_rate: calls ? by('fallback') / calls : null,
      cost_per_call_usd: calls ? microsToUsd(divRound(cost, BigInt(calls))) : null,
      published: versions
        .filter((v) => v.published_at?.slice(0, 10) === day)
        .map((v) => v.version)
        .sort((a, b) => a - b),
    }
  })
  return { days: out, models }
}
