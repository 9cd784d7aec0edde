'use client'
import { CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { TBurnChartPoint } from '@/lib/budgets/view'
import {
  AXIS_TICK,
  CHART_COLORS,
  CHART_MARGIN_WIDE,
  GRID_PROPS,
  LEGEND_STYLE,
  partialDayIn,
  partialDayTooltipLabel,
  TOOLTIP_PROPS,
} from '@/components/charts/theme'
import { ChartFrame, PartialDayMark } from '@/components/charts/partial-day'

/**
 * A budget's period: cumulative spend so far, the even pace that lands on the
 * amount, the projection of the pace so far, and the amount as a line. For
 * per-run / per-outcome budgets: the value per bucket against the target.
 */
export function BurnDownChart({
  data,
  amount,
  kind,
  label,
  format,
}: {
  data: TBurnChartPoint[]
  amount: number
  kind: 'spend' | 'value'
  label: string
  format: (v: number) => string
}) {
  // per day (labels "MM-DD"), today's point is partial: the day's spend is still coming in
  const todayT = data.every((p) => /^\d{2}-\d{2}$/.test(p.label)) ? partialDayIn(data.filter((p) => p.actual != null || p.value != null).map((p) => p.t)) : null
  const today = todayT ? (data.find((p) => p.t === todayT)?.label ?? null) : null
  return (
    // data-partial-day carries the UTC day; the mark sits on the chart's own x value (the "MM-DD" label)
    <ChartFrame label={label} today={today} className="h-64" data-partial-day={todayT ?? undefined}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={CHART_MARGIN_WIDE}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={16} />
          <YAxis tickFormatter={(v: number) => format(v)} tick={AXIS_TICK} width={72} domain={[0, (max: number) => Math.max(max, amount) * 1.05]} />
          <Tooltip {...TOOLTIP_PROPS} formatter={(v) => format(Number(v))} labelFormatter={partialDayTooltipLabel(today)} />
          <Legend wrapperStyle={LEGEND_STYLE} />
          <PartialDayMark day={today} kind="line" />
          <ReferenceLine
            y={amount}
            stroke={CHART_COLORS.bad}
            strokeDasharray="4 4"
            label={{ value: kind === 'spend' ? 'amount' : 'target', position: 'insideTopLeft', fontSize: 11, fill: CHART_COLORS.bad }}
          />
          {kind === 'spend' ? (
            <>
              <Line dataKey="pace" name="Even pace" stroke={CHART_COLORS.muted} strokeDasharray="4 3" strokeWidth={1.5} dot={false} isAnimationActive={false} />
              <Line
                dataKey="projected"
                name="Projected at this pace"
                stroke={CHART_COLORS.forecast}
                strokeDasharray="2 3"
                strokeWidth={2}
                dot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
              <Line
                dataKey="actual"
                name="Spent so far"
                stroke={CHART_COLORS.primary}
                strokeWidth={2.5}
                dot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
            </>
          ) : (
            <Line dataKey="value" name="Value in the bucket" stroke={CHART_COLORS.primary} strokeWidth={2} connectNulls={false} isAnimationActive={false} />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}
