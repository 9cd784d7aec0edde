'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { DAY_MS } from '@/lib/domain'
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFrame, PartialDayMark } from '@/components/charts/partial-day'
import { Alert, Card, Skeleton } from '@/components/ui'
import {
  AXIS_TICK,
  CHART_COLORS,
  CHART_MARGIN,
  dayTick,
  GRID_PROPS,
  LEGEND_STYLE,
  partialDayIn,
  partialDayTooltipLabel,
  TOOLTIP_CURSOR,
  TOOLTIP_PROPS,
} from '@/components/charts/theme'
import { useStepTraffic } from '@/components/routing/queries'
import { useSeriesColors } from '@/components/charts/org-colors'
import { prepareLive } from '@/lib/routing/live'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import type { TPolicyDetail } from '@/lib/routing/policies'

const DAYS = 30

/** Per step: share of calls per model per UTC day, escalation and fallback rates and cost per call, with the days versions were published. */
export function LiveView({ org, p }: { org: string; p: TPolicyDetail }) {
  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS)
  const to = new Date(today.getTime() + DAY_MS).toISOString()
  const from = new Date(today.getTime() - (DAYS - 1) * DAY_MS).toISOString()
  const q = useStepTraffic(org, p.id, p.workflow_id, p.step, from, to)
  const live = q.data ? prepareLive(q.data.rows, p.versions, from, to) : null
  // Series keyed by index: recharts reads a dotted dataKey ("gemini-1.5-pro") as a nested path.
  const data = live?.days.map((d) => ({ day: d.day, ...Object.fromEntries(live.models.map((m, i) => [`m${i}`, d.shares[m] ?? 0])) }))
  const withCalls = live?.days.filter((d) => d.calls > 0) ?? []
  const colors = useSeriesColors(org, 'model', live?.models ?? [])
  // the last 14 days with calls or a publication, newest first until a header is pressed
  const shownDays = live?.days
    .filter((d) => d.calls > 0 || d.published.length)
    .reverse()
    .slice(0, 14)
  const sorter = useSort(shownDays, {
    day: (d) => d.day,
    calls: (d) => d.calls,
    escalation: (d) => d.escalation_rate,
    fallback: (d) => d.fallback_rate,
    cost: (d) => (d.cost_per_call_usd === null ? null : moneyKey(d.cost_per_call_usd)),
    published: (d) => (d.published.length ? Math.max(...d.published) : null),
  })
  const partial = live ? partialDayIn(live.days.filter((d) => d.calls > 0).map((d) => d.day)) : null
  return (
    <Card title="Live: the step's production calls" subtitle={`Last ${DAYS} UTC days. Dashed lines: a version published.`}>
      {q.error && <Alert>Could not load the step&apos;s traffic: {q.error.message}</Alert>}
      {!live ? (
        <Skeleton className="h-56" />
      ) : withCalls.length === 0 ? (
        <p className="text-sm text-slate-600">
          No production calls of {p.workflow_id} · {p.step} in the last {DAYS} days. Send events with this workflow_id and step to see the share per model here.
        </p>
      ) : (
        <>
          <ChartFrame className="h-56" label={`Share of ${p.step} calls per model per day`} today={partial}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data} margin={CHART_MARGIN}>
                <CartesianGrid {...GRID_PROPS} />
                <XAxis dataKey="day" tickFormatter={dayTick} tick={AXIS_TICK} minTickGap={16} />
                <YAxis tickFormatter={(v: number) => formatPercent(v, 0)} domain={[0, 1]} tick={AXIS_TICK} width={48} />
                <Tooltip
                  {...TOOLTIP_PROPS}
                  cursor={TOOLTIP_CURSOR}
                  formatter={(v) => formatPercent(Number(v))}
                  labelFormatter={partialDayTooltipLabel(partial)}
                />
                <PartialDayMark day={partial} kind="band" />
                <Legend wrapperStyle={LEGEND_STYLE} />
                {live.models.map((m, i) => (
                  <Bar key={m} dataKey={`m${i}`} name={m} stackId="1" fill={colors[m]} isAnimationActive={false} />
                ))}
                {live.days
                  .filter((d) => d.published.length)
                  .map((d) => (
                    <ReferenceLine
                      key={d.day}
                      x={d.day}
                      stroke={CHART_COLORS.marker}
                      strokeDasharray="4 2"
                      label={{ value: d.published.map((v) => `v${v}`).join(', '), fontSize: 11, position: 'top' }}
                    />
                  ))}
              </BarChart>
            </ResponsiveContainer>
          </ChartFrame>
          <table className="mt-4 w-full text-sm" data-testid="live-days">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <SortTh sorter={sorter} k="day" className="py-1">
                  Day (UTC)
                </SortTh>
                <SortTh sorter={sorter} k="calls" className="text-right">
                  Calls
                </SortTh>
                <SortTh sorter={sorter} k="escalation" className="text-right">
                  Escalation rate
                </SortTh>
                <SortTh sorter={sorter} k="fallback" className="text-right">
                  Fallback rate
                </SortTh>
                <SortTh sorter={sorter} k="cost" className="text-right">
                  Cost per call
                </SortTh>
                <SortTh sorter={sorter} k="published">
                  Published
                </SortTh>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sorter.rows.map((d) => (
                <tr key={d.day}>
                  <td className="py-1">{d.day}</td>
                  <td className="num text-right">{formatCount(d.calls)}</td>
                  <td className="num text-right">{d.escalation_rate === null ? '—' : formatPercent(d.escalation_rate)}</td>
                  <td className="num text-right">{d.fallback_rate === null ? '—' : formatPercent(d.fallback_rate)}</td>
                  <td className="num text-right">{d.cost_per_call_usd === null ? '—' : formatUsd(d.cost_per_call_usd)}</td>
                  <td>{d.published.map((v) => `v${v}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Card>
  )
}
