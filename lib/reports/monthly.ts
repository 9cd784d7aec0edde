// The monthly report for finance: a calendar month's spend (UTC, the whole
// bill: every environment and traffic source) by workflow, account, feature,
// environment, traffic source and scenario, against the month before, with the
// organization's month-end forecast while the month is running. Beside it, the
// whole bill (lib/finance/whole-bill.ts: API inference, the GPU pools' paid
// capacity, line items; its total is Scenario cost's) and each scenario's API
// cost next to its fully loaded cost. A running month compares with the same
// elapsed span of the month before. Every figure
// but scenario is a GET /api/v1/metrics answer for the month (same query
// layer, so the same micro-dollars); scenario_id is not a rollup dimension, so
// scenario spend reads the events that carry one (a partial index) and the
// rest of each workflow's spend stands as its own scenario, as the issue says
// ("by scenario_id, or the workflow when none is set").
import 'server-only'
import { micros, microsToUsd } from '@/lib/domain'
import { rangePeriods } from '@/lib/metrics/range'
import { pool } from '@/lib/db'
import { queryMetrics, ZMetricsQuery, type TMetricsRow } from '@/lib/metrics/query'
import { forecast } from '@/lib/forecast'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { ratio } from '@/lib/metrics/breakdown'
import { toCsv } from '@/lib/csv'
import { REPORT_SECTIONS, type TMonthlyReport, type TMonthlyReportQuery, type TReportDimension, type TReportLine } from '@/lib/reports/schema'
import { planSource, sourceSql } from '@/lib/metrics/source'
import { DAILY_ROLLUPS, HOURLY_ROLLUP } from '@/lib/rollups/tables'
import { wholeBill, wholeBillDetailed } from '@/lib/finance/whole-bill'
import { callMicrosOf, partsOf, perOutcomeMicros } from '@/lib/finance/parts'
import type { TScenarioCostMonth } from '@/lib/scenarios/schema'
import type { TReportScenario } from '@/lib/reports/schema'

export { REPORT_SECTIONS, ZMonthlyReportQuery } from '@/lib/reports/schema'
export type { TMonthlyReport, TMonthlyReportQuery, TReportDimension, TReportLine } from '@/lib/reports/schema'

const monthKey = (t: number) => new Date(t).toISOString().slice(0, 7)

/** [start, end) of a YYYY-MM month (UTC), and of the one before. */
export function monthRange(month: string) {
  const [y, m] = month.split('-').map(Number)
  const from = Date.UTC(y, m - 1, 1)
  const to = Date.UTC(y, m, 1)
  const prevFrom = Date.UTC(y, m - 2, 1)
  return { from, to, previous: { from: prevFrom, to: from, month: monthKey(prevFrom) } }
}

type TSpend = { key: string | null; from?: TReportLine['from']; micros: bigint; events: number }

/** Rows of this month and the month before, matched by key, largest spend first (then the month before's, then the key). */
export function reportLines(cur: TSpend[], prev: TSpend[], totalMicros: bigint): TReportLine[] {
  const id = (s: TSpend) => JSON.stringify([s.from ?? null, s.key])
  const map = new Map<string, { c?: TSpend; p?: TSpend }>()
  for (const c of cur) map.set(id(c), { ...map.get(id(c)), c })
  for (const p of prev) map.set(id(p), { ...map.get(id(p)), p })
  const lines = [...map.values()].map(({ c, p }) => {
    const cm = c?.micros ?? 0n
    const pm = p?.micros ?? 0n
    const line: TReportLine = {
      key: (c ?? p)!.key,
      ...((c ?? p)!.from ? { from: (c ?? p)!.from } : {}),
      cost_usd: microsToUsd(cm),
      events: c?.events ?? 0,
      previous_cost_usd: microsToUsd(pm),
      previous_events: p?.events ?? 0,
      change_usd: microsToUsd(cm - pm),
      share: ratio(cm, totalMicros),
    }
    return { line, cm, pm }
  })
  lines.sort((a, b) => (a.cm !== b.cm ? (b.cm > a.cm ? 1 : -1) : a.pm !== b.pm ? (b.pm > a.pm ? 1 : -1) : String(a.line.key).localeCompare(String(b.line.key))))
  return lines.map((l) => l.line)
}

/**
 * Spend by scenario: each scenario_id's spend (events that carry one), and,
 * per workflow, the rest of its spend (its rollup total minus its events with
 * a scenario) under the workflow's name; every part exact to 12 decimals,
 * rounded once to the micro-dollar (so the parts, like the metrics API's rows,
 * may differ from the rounded total by a micro-dollar or two).
 */
export function scenarioSpend(
  workflows: { workflow_id: string; cost12: string; events: number }[],
  tagged: { scenario_id: string; workflow_id: string; cost12: string; events: number }[],
): TSpend[] {
  const byScenario = new Map<string, { m12: bigint; events: number }>()
  const byWorkflow = new Map<string, { m12: bigint; events: number }>()
  for (const t of tagged) {
    const m = toScaled(t.cost12, 12)
    const s = byScenario.get(t.scenario_id) ?? { m12: 0n, events: 0 }
    byScenario.set(t.scenario_id, { m12: s.m12 + m, events: s.events + t.events })
    const w = byWorkflow.get(t.workflow_id) ?? { m12: 0n, events: 0 }
    byWorkflow.set(t.workflow_id, { m12: w.m12 + m, events: w.events + t.events })
  }
  const to6 = (m12: bigint) => toScaled(fromScaled(m12, 12), 6)
  const out: TSpend[] = [...byScenario].map(([key, s]) => ({ key, from: 'scenario_id' as const, micros: to6(s.m12), events: s.events }))
  for (const w of workflows) {
    const t = byWorkflow.get(w.workflow_id)
    // the remainder exact (12 decimals), rounded once: as the metrics API rounds each row
    const rest = { micros: to6(toScaled(w.cost12, 12) - (t?.m12 ?? 0n)), events: w.events - (t?.events ?? 0) }
    if (rest.events > 0 || rest.micros !== 0n) out.push({ key: w.workflow_id, from: 'workflow', ...rest })
  }
  return out
}

async function monthSpend(orgId: string, from: number, to: number) {
  const base = { ...ZMetricsQuery.parse({}), from: new Date(from), to: new Date(to), limit: 100_000 }
  const dims = REPORT_SECTIONS.map((s) => s.dimension).filter((d): d is Exclude<TReportDimension, 'scenario'> => d !== 'scenario')
  // each workflow's spend unrounded (12 decimals), from the same rollups as the metrics API, for the scenario remainders
  const params: unknown[] = [orgId]
  const src = sourceSql(
    planSource(DAILY_ROLLUPS, ['environment', 'traffic_source', 'workflow_id'], { from: base.from, to: base.to }, 'none'),
    HOURLY_ROLLUP.table,
    ['workflow_id', 'cost_usd', 'events'],
    [],
    params,
  )
  const [total, tagged, exact, ...grouped] = await Promise.all([
    queryMetrics(orgId, base),
    // index-only on inference_events_scenario_idx: the month's events that carry a scenario
    pool().query<{ scenario_id: string; workflow_id: string; cost12: string; events: number }>(
      `SELECT scenario_id, workflow_id, coalesce(sum(cost_usd), 0)::text AS cost12, count(*)::int AS events
       FROM inference_events WHERE org_id = $1 AND scenario_id IS NOT NULL AND timestamp >= $2 AND timestamp < $3 GROUP BY scenario_id, workflow_id`,
      [orgId, new Date(from), new Date(to)],
    ),
    pool().query<{ workflow_id: string; cost12: string; events: number }>(
      `SELECT workflow_id, sum(cost_usd)::text AS cost12, sum(events)::int AS events FROM ${src} GROUP BY workflow_id HAVING sum(events) > 0`,
      params,
    ),
    ...dims.map((d) => queryMetrics(orgId, { ...base, group_by: [d] })),
  ])
  const spend = (d: string, rows: TMetricsRow[]): TSpend[] =>
    rows.map((r) => ({ key: (r as Record<string, unknown>)[d] as string | null, micros: micros(r.cost_usd), events: r.events }))
  const by = new Map<TReportDimension, TSpend[]>(dims.map((d, i) => [d, spend(d, grouped[i].rows)]))
  by.set('scenario', scenarioSpend(exact.rows, tagged.rows))
  const t = total.rows[0]
  return { by, total: t ?? null }
}

/** Each scenario's month both ways, from Scenario cost's own figures: API cost (its calls) and fully loaded (its total). */
export function reportScenarios(m: TScenarioCostMonth | undefined): TReportScenario[] {
  const per = (x: bigint, n: number) => (n > 0 ? microsToUsd(perOutcomeMicros(x, n)) : null)
  return (m?.scenarios ?? []).map((s) => {
    const api = callMicrosOf(s)
    return {
      scenario: s.scenario,
      api_cost_usd: microsToUsd(api),
      fully_loaded_usd: s.total_usd,
      accepted_outcomes: s.accepted_outcomes,
      api_cost_per_accepted_outcome_usd: per(api, s.accepted_outcomes),
      fully_loaded_per_accepted_outcome_usd: s.cost_per_accepted_outcome_usd,
    }
  })
}

/**
 * The report of a month (default: the current one). Every row and total is
 * compared with the month before over the same span: all of it for a closed
 * month, and for the running month as many days and hours as have passed of
 * this one (a month to date against a whole month would show every row drop).
 */
export async function monthlyReport(orgId: string, q: Pick<TMonthlyReportQuery, 'month'>, now = new Date()): Promise<TMonthlyReport> {
  const month = q.month ?? monthKey(now.getTime())
  const r = monthRange(month)
  const current = now.getTime() >= r.from && now.getTime() < r.to
  // the month before to the same day and hour as this one so far, the current hour included (capped at its end): the
  // range picker's month to date and the period it is compared with (lib/metrics/range.ts), so the report's "same
  // days" is the overview's previous period
  const comparedTo = current ? Date.parse(rangePeriods('mtd', now).previous.to) : r.previous.to
  const [cur, prev, f, bill, prevBill] = await Promise.all([
    monthSpend(orgId, r.from, r.to),
    monthSpend(orgId, r.previous.from, comparedTo),
    current ? forecast(orgId, { history_days: 120 }, now) : Promise.resolve(null),
    wholeBillDetailed(orgId, { from: new Date(r.from), to: new Date(r.to) }, now),
    wholeBill(orgId, { from: new Date(r.previous.from), to: new Date(comparedTo) }, now),
  ])
  const tm = micros(cur.total?.cost_usd ?? '0')
  const pm = micros(prev.total?.cost_usd ?? '0')
  return {
    month,
    from: new Date(r.from).toISOString(),
    to: new Date(r.to).toISOString(),
    previous: {
      month: r.previous.month,
      from: new Date(r.previous.from).toISOString(),
      to: new Date(r.previous.to).toISOString(),
      compared_to: new Date(comparedTo).toISOString(),
    },
    current,
    total: {
      cost_usd: microsToUsd(tm),
      events: cur.total?.events ?? 0,
      runs: cur.total?.runs ?? 0,
      production_cost_usd: cur.total?.production_cost_usd ?? '0.000000',
      unpriced_events: cur.total?.unpriced_events ?? 0,
      previous_cost_usd: microsToUsd(pm),
      previous_events: prev.total?.events ?? 0,
      change_usd: microsToUsd(tm - pm),
      ...(current ? { previous_to_date: { to: new Date(comparedTo).toISOString(), cost_usd: microsToUsd(pm), change_usd: microsToUsd(tm - pm) } } : {}),
    },
    bill: {
      ...partsOf(bill.bill),
      previous: partsOf(prevBill),
      change_usd: microsToUsd(micros(bill.bill.total_usd) - micros(prevBill.total_usd)),
    },
    scenarios: reportScenarios(bill.scenarioMonths[0]).sort(
      (a, b) => Number(micros(b.fully_loaded_usd) - micros(a.fully_loaded_usd)) || a.scenario.localeCompare(b.scenario),
    ),
    sections: REPORT_SECTIONS.map((s) => ({
      dimension: s.dimension,
      label: s.label,
      rows: reportLines(cur.by.get(s.dimension)!, prev.by.get(s.dimension)!, tm),
    })),
    forecast: f ? { month_end: f.month_end, mape: f.backtest.mape, note: f.note, bill: f.bill ?? null } : null,
  }
}

/** The report as CSV: one line per section row, then the totals and the forecast. */
export function monthlyReportCsv(r: TMonthlyReport): string {
  const lines: (string | number | null)[][] = [
    ['month', 'section', 'key', 'key_from', 'cost_usd', 'events', 'share', 'previous_month', 'previous_cost_usd', 'previous_events', 'change_usd'],
  ]
  for (const s of r.sections) {
    for (const l of s.rows)
      lines.push([
        r.month,
        s.dimension,
        l.key,
        l.from ?? null,
        l.cost_usd,
        l.events,
        l.share.toFixed(4),
        r.previous.month,
        l.previous_cost_usd,
        l.previous_events,
        l.change_usd,
      ])
  }
  lines.push([
    r.month,
    'total',
    null,
    null,
    r.total.cost_usd,
    r.total.events,
    '1.0000',
    r.previous.month,
    r.total.previous_cost_usd,
    r.total.previous_events,
    r.total.change_usd,
  ])
  lines.push([r.month, 'total_production', null, null, r.total.production_cost_usd, null, null, null, null, null, null])
  // the whole bill, part by part (API inference, GPU capacity, line items): its total is Scenario cost's total
  for (const k of ['api_inference_usd', 'gpu_capacity_usd', 'line_items_usd', 'total_usd'] as const)
    lines.push([r.month, `bill_${k.replace(/_usd$/, '')}`, null, null, r.bill[k], null, null, r.previous.month, r.bill.previous[k], null, null])
  for (const x of r.scenarios) {
    lines.push([r.month, 'scenario_api_cost', x.scenario, null, x.api_cost_usd, null, null, null, null, null, null])
    lines.push([r.month, 'scenario_fully_loaded', x.scenario, null, x.fully_loaded_usd, null, null, null, null, null, null])
  }
  if (r.forecast?.month_end.forecast_usd) {
    const m = r.forecast.month_end
    lines.push([r.month, 'forecast_month_end', null, null, m.forecast_usd, null, null, null, null, null, null])
    lines.push([r.month, 'forecast_month_end_lower', null, null, m.lower_usd, null, null, null, null, null, null])
    lines.push([r.month, 'forecast_month_end_upper', null, null, m.upper_usd, null, null, null, null, null, null])
  }
  return toCsv(lines)
}
