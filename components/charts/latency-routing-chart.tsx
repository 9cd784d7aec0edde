'use client'
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFrame, PartialDayMark } from '@/components/charts/partial-day'
import { bucketLabel, chartPoints, MIN_CALLS, pct, rateAxis, type TGranularity, type TLatencyRoutingPoint } from '@/lib/metrics/views/latency-routing'
import { formatCount, formatMs } from '@/lib/format'
import { useMemo } from 'react'
import { AXIS_TICK, axisLabel, CHART_MARGIN, GRID_PROPS, LEGEND_STYLE, partialDayIn, seriesColors, TOOLTIP_CURSOR } from '@/components/charts/theme'

const KEYS = { p50: 'p50_ms', p95: 'p95_ms', fallback: 'fallback_rate', escalation: 'escalation_rate' } as const
const COLORS = seriesColors(Object.keys(KEYS))

/** "12-03 14h" per hour, "12-03" per day: short enough for 168 hourly ticks thinned by minTickGap. */
const tick = (granularity: TGranularity) => (iso: string) => (granularity === 'hour' ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(5, 10))

/**
 * Latency p50 and p95 (lines, ms, left axis) beside the share of calls that
 * fell back or were escalated (stacked bars, % of calls, right axis: a call
 * is one or the other), per hour or per UTC day. Points come prepared by
 * lib/metrics/views/latency-routing.ts; a bucket without calls is a gap, a
 * bucket with few calls is faint (dots and pale bars: its p95 is one call).
 */
export function LatencyRoutingChart({ points, granularity, label }: { points: TLatencyRoutingPoint[]; granularity: TGranularity; label: string }) {
  const data = useMemo(() => chartPoints(points), [points])
  const rates = useMemo(() => rateAxis(data), [data])
  // per day, today's bucket is partial (per hour, every bucket is a whole hour but the last)
  const today = granularity === 'day' ? partialDayIn(data.map((d) => d.bucket)) : null
  const faint = { legendType: 'none' as const, isAnimationActive: false, yAxisId: 'rate', stackId: 'rerouted', fillOpacity: 0.3 }
  const faintDots = (color: string) => ({
    legendType: 'none' as const,
    stroke: 'none',
    dot: { r: 1.5, fill: color, fillOpacity: 0.5, stroke: 'none' },
    activeDot: false as const,
    isAnimationActive: false,
    yAxisId: 'ms',
  })
  return (
    <ChartFrame label={label} today={today}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={CHART_MARGIN} barCategoryGap={granularity === 'hour' ? 0 : '10%'}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="bucket" tickFormatter={tick(granularity)} tick={AXIS_TICK} minTickGap={24} />
          <YAxis yAxisId="ms" tickFormatter={(v: number) => formatMs(v)} tick={AXIS_TICK} width={64} domain={[0, 'auto']} label={axisLabel('latency, ms')} />
          <YAxis
            yAxisId="rate"
            orientation="right"
            tickFormatter={(v: number) => pct(v)}
            tick={AXIS_TICK}
            width={56}
            domain={[0, rates.max]}
            ticks={rates.ticks}
            label={axisLabel('% of calls', 'right')}
          />
          <Tooltip
            content={(p) => <LatencyTooltip active={p.active} point={p.payload?.[0]?.payload?.point} granularity={granularity} />}
            cursor={TOOLTIP_CURSOR}
          />
          <Legend wrapperStyle={LEGEND_STYLE} />
          <PartialDayMark day={today} kind="band" yAxisId="ms" />
          <Bar yAxisId="rate" dataKey={KEYS.fallback} name="Fell back (% of calls)" stackId="rerouted" fill={COLORS.fallback} isAnimationActive={false} />
          <Bar yAxisId="rate" dataKey={KEYS.escalation} name="Escalated (% of calls)" stackId="rerouted" fill={COLORS.escalation} isAnimationActive={false} />
          <Bar dataKey="fallback_few" fill={COLORS.fallback} {...faint} />
          <Bar dataKey="escalation_few" fill={COLORS.escalation} {...faint} />
          <Line dataKey="p50_few" {...faintDots(COLORS.p50)} />
          <Line dataKey="p95_few" {...faintDots(COLORS.p95)} />
          <Line
            yAxisId="ms"
            dataKey={KEYS.p50}
            name="Latency p50"
            stroke={COLORS.p50}
            strokeWidth={2}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
          <Line
            yAxisId="ms"
            dataKey={KEYS.p95}
            name="Latency p95"
            stroke={COLORS.p95}
            strokeWidth={2}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}

/** The hovered bucket's figures, with the counts behind the rates. */
function LatencyTooltip({ active, point, granularity }: { active?: boolean; point: unknown; granularity: TGranularity }) {
  const p = point as TLatencyRoutingPoint | undefined
  if (!active || !p) return null
  const share = (n: number) => (p.calls > 0 ? `${pct(n / p.calls)} (${formatCount(n)} of ${formatCount(p.calls)} calls)` : '—')
  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 text-xs shadow-sm">
      <div className="mb-1 font-medium text-slate-900">{bucketLabel(p.bucket, granularity)}</div>
      <dl className="grid grid-cols-[auto_auto] gap-x-3 gap-y-0.5">
        <dt style={{ color: COLORS.p50 }}>Latency p50</dt>
        <dd className="num text-right">{formatMs(p.p50_ms)}</dd>
        <dt style={{ color: COLORS.p95 }}>Latency p95</dt>
        <dd className="num text-right">{formatMs(p.p95_ms)}</dd>
        <dt style={{ color: COLORS.fallback }}>Fell back</dt>
        <dd className="num text-right">{share(p.fallbacks)}</dd>
        <dt style={{ color: COLORS.escalation }}>Escalated</dt>
        <dd className="num text-right">{share(p.escalations)}</dd>
      </dl>
      {p.calls < MIN_CALLS && <div className="mt-1 text-slate-500">Under {MIN_CALLS} calls: drawn faint, left out of the sentence.</div>}
    </div>
  )
}
