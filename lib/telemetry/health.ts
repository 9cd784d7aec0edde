import { COST_SCALE } from '@/lib/cost/engine'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { HEALTH_FIELDS, type THealthField, type THealthSource, type TMissing, type TTelemetryHealthAnswer } from '@/lib/telemetry/schema'

// Telemetry health, the pure part: the per (source, workflow, step) sums of the
// range's events → per source, the share of calls and of spend lacking each
// field, and the routes that lack them. lib/telemetry/load.ts reads the sums.

/** One (source, workflow, step) of the range. Money: decimal strings (12 places, as stored). */
export type THealthRow = {
  source: string | null
  workflow_id: string
  step: string
  calls: number
  cost_usd: string
  unpriced_calls: number
  /** per field: the calls that lack it, their cost; any: the calls lacking at least one */
  missing: Record<THealthField | 'any', { calls: number; cost_usd: string }>
  /** the calls lacking their workflow or their step (a gateway call without its headers) */
  unlabeled: { calls: number; cost_usd: string }
}

const MAX_ROUTES = 10
const scaled = (v: string) => toScaled(v, COST_SCALE)
/** Rounded half up to the micro-dollar, as every money figure of the API. */
const usd = (v: bigint) => fromScaled((v + 500_000n) / 1_000_000n, 6)

type TSums = { calls: number; cost: bigint; unpriced: number; missing: Record<THealthField | 'any', { calls: number; cost: bigint }> }
const emptySums = (): TSums => ({
  calls: 0,
  cost: 0n,
  unpriced: 0,
  missing: Object.fromEntries([...HEALTH_FIELDS, 'any'].map((f) => [f, { calls: 0, cost: 0n }])) as TSums['missing'],
})
function add(s: TSums, r: THealthRow) {
  s.calls += r.calls
  s.cost += scaled(r.cost_usd)
  s.unpriced += r.unpriced_calls
  for (const f of [...HEALTH_FIELDS, 'any'] as const) {
    s.missing[f].calls += r.missing[f].calls
    s.missing[f].cost += scaled(r.missing[f].cost_usd)
  }
}
const ratio = (part: number | bigint, whole: number | bigint) => (Number(whole) === 0 ? null : Math.round((Number(part) / Number(whole)) * 10_000) / 10_000)
const missingField = (s: TSums, f: THealthField | 'any'): TMissing => {
  const m = s.missing[f]
  return { calls: m.calls, cost_usd: usd(m.cost), share_of_calls: ratio(m.calls, s.calls), share_of_spend: ratio(m.cost, s.cost) }
}
const missingOf = (s: TSums) => Object.fromEntries(HEALTH_FIELDS.map((f) => [f, missingField(s, f)])) as Record<THealthField, TMissing>

/** A source's kind and its label (names: API keys and members by id). */
export function describeSource(source: string | null, names: ReadonlyMap<string, string>): Pick<THealthSource, 'kind' | 'label'> {
  if (source === null || source === '') return { kind: 'unknown', label: 'Before sources were recorded' }
  if (source === 'gateway') return { kind: 'gateway', label: 'Gateway' }
  if (source === 'evals') return { kind: 'evals', label: 'Eval runs' }
  const [kind, ...rest] = source.split(':')
  const id = rest.join(':')
  if (kind === 'key') return { kind: 'api_key', label: `API key ${names.get(source) ?? `${id.slice(0, 8)}… (deleted)`}` }
  if (kind === 'member') return { kind: 'member', label: `Member ${names.get(source) ?? `${id.slice(0, 8)}…`}` }
  if (kind === 'otel') return { kind: 'otel', label: `OpenTelemetry service ${id}` }
  return { kind: 'unknown', label: source }
}

export function telemetryHealth(input: { from: Date; to: Date; rows: readonly THealthRow[]; names: ReadonlyMap<string, string> }): TTelemetryHealthAnswer {
  const total = emptySums()
  const bySource = new Map<string, { source: string | null; sums: TSums; routes: Map<string, { row: THealthRow; sums: TSums }> }>()
  const gateway = { calls: 0, cost: 0n }
  for (const r of input.rows) {
    add(total, r)
    const k = r.source ?? ''
    let s = bySource.get(k)
    if (!s) {
      s = { source: r.source, sums: emptySums(), routes: new Map() }
      bySource.set(k, s)
    }
    add(s.sums, r)
    const rk = JSON.stringify([r.workflow_id, r.step])
    let route = s.routes.get(rk)
    if (!route) {
      route = { row: r, sums: emptySums() }
      s.routes.set(rk, route)
    }
    add(route.sums, r)
    if (r.source === 'gateway') {
      gateway.calls += r.unlabeled.calls
      gateway.cost += scaled(r.unlabeled.cost_usd)
    }
  }
  const byCost = (a: { cost: bigint; key: string }, b: { cost: bigint; key: string }) =>
    a.cost === b.cost ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.cost > b.cost ? -1 : 1
  const sources: THealthSource[] = [...bySource.entries()]
    .map(([key, s]) => ({ key, cost: s.sums.cost, s }))
    .sort(byCost)
    .map(({ s }) => ({
      source: s.source,
      ...describeSource(s.source, input.names),
      calls: s.sums.calls,
      cost_usd: usd(s.sums.cost),
      unpriced_calls: s.sums.unpriced,
      missing: missingOf(s.sums),
      missing_any: missingField(s.sums, 'any'),
      routes: [...s.routes.entries()]
        .filter(([, r]) => r.sums.missing.any.calls > 0)
        .map(([key, r]) => ({ key, cost: r.sums.missing.any.cost, r }))
        .sort(byCost)
        .slice(0, MAX_ROUTES)
        .map(({ r }) => ({
          workflow_id: r.row.workflow_id,
          step: r.row.step,
          calls: r.sums.calls,
          cost_usd: usd(r.sums.cost),
          lacks: HEALTH_FIELDS.filter((f) => r.sums.missing[f].calls > 0),
          missing_calls: r.sums.missing.any.calls,
          missing_cost_usd: usd(r.sums.missing.any.cost),
        })),
    }))
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    fields: [...HEALTH_FIELDS],
    calls: total.calls,
    cost_usd: usd(total.cost),
    missing: missingOf(total),
    missing_any: missingField(total, 'any'),
    sources,
    unlabeled_gateway: { calls: gateway.calls, cost_usd: usd(gateway.cost) },
  }
}
