import 'server-only'
import { DAY_MS, HOUR_MS, OUTCOME_DIMENSIONS, productionSql } from '@/lib/domain'
import { pool } from '@/lib/db'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, HOURLY_OUTCOMES, HOURLY_ROLLUP } from '@/lib/rollups/tables'
import { budgetStatus, budgetWindow, type TBudgetMeasure } from '@/lib/budgets/evaluate'
import type { TBudget, TBudgetView } from '@/lib/budgets'

// Every budget of an organization measured in a bounded number of queries:
// budgets are grouped by the dimensions their scope names (environment,
// workflow, account, feature: at most 16 shapes, a few in practice), and each
// shape is one read of the rollups joined with its budgets (plus one for
// accepted outcomes when it has cost-per-outcome budgets), whatever the
// number of budgets. The answer is the one queryMetrics gives per budget
// (lib/budgets/measure.integration.test.ts compares them): the same rows, summed
// and rounded in the same way.
//
// All windows end at `now`; each starts at its own hour (the day, the month, or
// N days back). Whole UTC days come from the narrowest daily table with the
// shape's dimensions; the hours before them, the days in which a window starts
// mid-day (rolling windows) and today's hours come from the hourly table.

const SCOPE_DIMS = ['environment', 'workflow_id', 'account_id', 'feature'] as const
type TScopeDim = (typeof SCOPE_DIMS)[number]

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit
const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit

type TSpan = { from: number; to: number }
export type TSpanPlan = { daily: (TSpan & { except: number[] }) | null; hourly: TSpan[] }

/** Which table answers which hours, for windows starting at `starts` (hour-aligned) and all ending at `now`. */
export function spanPlan(starts: number[], now: number): TSpanPlan {
  const first = Math.min(...starts)
  const dFrom = ceilTo(first, DAY_MS)
  const dTo = floorTo(ceilTo(now, HOUR_MS), DAY_MS)
  if (dFrom >= dTo) return { daily: null, hourly: [{ from: first, to: now }] }
  const split = [...new Set(starts.filter((s) => s > dFrom && s < dTo && s % DAY_MS !== 0).map((s) => floorTo(s, DAY_MS)))].sort((a, b) => a - b)
  const hourly = [
    ...(first < dFrom ? [{ from: first, to: dFrom }] : []),
    ...split.map((d) => ({ from: d, to: d + DAY_MS })),
    ...(dTo < now ? [{ from: dTo, to: now }] : []),
  ]
  return { daily: { from: dFrom, to: dTo, except: split }, hourly }
}

const iso = (t: number) => new Date(t).toISOString()

/** `( SELECT <time> AS at, <columns> … UNION ALL … ) AS s` for a plan; `params` holds the organization id ($1) and the filters' values. */
function spanSql(plan: TSpanPlan, dailyTable: string, hourlyTable: string, columns: string[], filters: string[], params: unknown[]): string {
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  const branch = (table: string, time: 'day' | 'hour', s: TSpan, extra: string[] = []) =>
    `SELECT ${time} AS at, ${columns.join(', ')} FROM ${table} WHERE ${[`org_id = $1`, `${time} >= ${p(iso(s.from))}::timestamptz`, `${time} < ${p(iso(s.to))}::timestamptz`, ...extra, ...filters].join(' AND ')}`
  const branches = [
    ...(plan.daily
      ? [branch(dailyTable, 'day', plan.daily, plan.daily.except.length ? [`day <> ALL(${p(plan.daily.except.map(iso))}::timestamptz[])`] : [])]
      : []),
    ...plan.hourly.map((s) => branch(hourlyTable, 'hour', s)),
  ]
  return `(${branches.join('\n  UNION ALL\n  ')}) AS s`
}

type TMeasured = { idx: number } & Partial<TBudgetMeasure>

async function measureShape(orgId: string, dims: TScopeDim[], budgets: { idx: number; b: TBudget; start: number }[], now: number): Promise<TMeasured[]> {
  const plan = spanPlan(
    budgets.map((x) => x.start),
    now,
  )
  const values = (d: TScopeDim) => [...new Set(budgets.map((x) => x.b[d]!))]
  // the budgets, as rows to join the rollups with
  const budgetRows = (params: unknown[], ds: readonly TScopeDim[], withSources: boolean) => {
    const cols = [
      `${p(
        params,
        budgets.map((x) => x.idx),
      )}::int4[]`,
      `${p(
        params,
        budgets.map((x) => iso(x.start)),
      )}::timestamptz[]`,
      ...(withSources
        ? [
            `${p(
              params,
              budgets.map((x) => x.b.traffic_sources.join(',')),
            )}::text[]`,
          ]
        : []),
      ...ds.map(
        (d) =>
          `${p(
            params,
            budgets.map((x) => x.b[d]!),
          )}::text[]`,
      ),
    ]
    return `unnest(${cols.join(', ')}) AS b(idx, start${withSources ? ', sources' : ''}${ds.map((d) => `, ${d}`).join('')})`
  }

  const cost = async (): Promise<TMeasured[]> => {
    const params: unknown[] = [orgId]
    const filters = [
      ...dims.map((d) => `${d} = ANY(${p(params, values(d))}::text[])`),
      `traffic_source = ANY(${p(params, [...new Set(budgets.flatMap((x) => x.b.traffic_sources))])}::text[])`,
    ]
    const needed = [...new Set(['environment', 'traffic_source', ...dims])]
    const daily = DAILY_ROLLUPS.find((t) => needed.every((d) => (t.dims as readonly string[]).includes(d)))!.table
    const src = spanSql(plan, daily, HOURLY_ROLLUP.table, [...needed, 'events', 'runs', 'cost_usd'], filters, params)
    const r = await pool().query(
      `SELECT b.idx, sum(s.events)::int8 AS events, sum(s.runs)::int8 AS runs, round(sum(s.cost_usd), 6)::text AS cost_usd,
         round(coalesce(sum(s.cost_usd) FILTER (WHERE ${productionSql('s')}), 0), 6)::text AS production_cost_usd
       FROM ${budgetRows(params, dims, true)}
       JOIN ${src} ON s.at >= b.start AND s.traffic_source = ANY(string_to_array(b.sources, ','))${dims.map((d) => ` AND s.${d} = b.${d}`).join('')}
       GROUP BY b.idx HAVING sum(s.events) > 0`,
      params,
    )
    return r.rows.map((x) => ({ idx: x.idx, cost_usd: x.cost_usd, runs: Number(x.runs), production_cost_usd: x.production_cost_usd }))
  }

  // Accepted outcomes carry workflow, feature and account only (as in queryMetrics: environment and traffic source do not filter them).
  const outcomes = async (): Promise<TMeasured[]> => {
    const perOutcome = budgets.filter((x) => x.b.metric === 'cost_per_accepted_outcome')
    if (perOutcome.length === 0) return []
    const ods = dims.filter((d): d is TScopeDim & (typeof OUTCOME_DIMENSIONS)[number] => (OUTCOME_DIMENSIONS as readonly string[]).includes(d))
    const params: unknown[] = [orgId]
    const filters = ods.map((d) => `${d} = ANY(${p(params, values(d))}::text[])`)
    const daily = DAILY_OUTCOMES.find((t) => ods.every((d) => t.dims.includes(d)))!.table
    const src = spanSql(plan, daily, HOURLY_OUTCOMES.table, [...ods, 'outcomes', 'accepted'], filters, params)
    const r = await pool().query(
      `SELECT b.idx, sum(s.accepted)::int8 AS accepted FROM ${budgetRows(params, ods, false)}
       JOIN ${src} ON s.at >= b.start${ods.map((d) => ` AND s.${d} = b.${d}`).join('')}
       GROUP BY b.idx HAVING sum(s.outcomes) > 0`,
      params,
    )
    return r.rows.map((x) => ({ idx: x.idx, accepted_outcomes: Number(x.accepted) }))
  }

  const [c, o] = await Promise.all([cost(), outcomes()])
  return [...c, ...o]
}

function p(params: unknown[], v: unknown): string {
  params.push(v)
  return `$${params.length}`
}

/** Budgets grouped by the dimensions their scope names: one group per shape. */
export function byShape(budgets: TBudget[]): Map<string, number[]> {
  const groups = new Map<string, number[]>()
  budgets.forEach((b, i) => {
    const key = SCOPE_DIMS.filter((d) => b[d] !== null).join(',')
    groups.set(key, [...(groups.get(key) ?? []), i])
  })
  return groups
}

/** What each budget measures in its window at `now`, with its state: in at most two queries per scope shape. */
export async function measureBudgets(orgId: string, budgets: TBudget[], now: Date): Promise<TBudgetView[]> {
  const windows = budgets.map((b) => budgetWindow(b, now))
  const measures: TBudgetMeasure[] = budgets.map(() => ({ cost_usd: '0.000000', runs: 0, production_cost_usd: '0.000000', accepted_outcomes: 0 }))
  const shapes = [...byShape(budgets)].map(([key, idxs]) => ({
    dims: (key ? key.split(',') : []) as TScopeDim[],
    budgets: idxs.map((idx) => ({ idx, b: budgets[idx], start: floorTo(windows[idx].from.getTime(), HOUR_MS) })),
  }))
  const results = await Promise.all(shapes.map((s) => measureShape(orgId, s.dims, s.budgets, now.getTime())))
  for (const m of results.flat()) Object.assign(measures[m.idx], Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'idx')))
  return budgets.map((b, i) => ({ ...b, status: budgetStatus(b, windows[i], measures[i]) }))
}
