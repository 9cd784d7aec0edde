'use client'
import { useRouter } from 'next/navigation'
import { Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFrame, PartialDayMark } from '@/components/charts/partial-day'
import type { TDailyPoint } from '@/lib/metrics/prepare'
import { formatUsd, formatUsdCompact } from '@/lib/format'
import {
  AXIS_TICK,
  CHART_MARGIN,
  dayTick,
  GRID_PROPS,
  LEGEND_STYLE,
  partialDayIn,
  partialDayTooltipLabel,
  seriesColors,
  TOOLTIP_CURSOR,
  TOOLTIP_PROPS,
} from '@/components/charts/theme'

/** Draws prepared daily points; one stacked bar per series, each in its key's colour (the same workflow or model has the same colour on every page). With `dayHref`, a click on a day's bar opens that link (keyboard users need the same links beside the chart). */
export function DailySpendChart({
  points,
  series,
  dayHref,
  label = 'Spend per day, stacked by traffic source',
  colors: given,
}: {
  points: TDailyPoint[]
  series: string[]
  dayHref?: (day: string) => string
  label?: string
  /** the series' colours when they are names of a dimension (org-colors.ts useSeriesColors: the same on every page); else the chart's own */
  colors?: Record<string, string>
}) {
  const router = useRouter()
  const colors = given ?? seriesColors(series)
  const today = partialDayIn(points.map((p) => p.day))
  const open = dayHref ? (d: { payload?: TDailyPoint }) => d.payload?.day && router.push(dayHref(d.payload.day)) : undefined
  return (
    <ChartFrame label={label} today={today} data-series-colors={series.map((s) => `${s}=${colors[s]}`).join(' ')}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points} margin={CHART_MARGIN}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="day" tickFormatter={dayTick} tick={AXIS_TICK} minTickGap={16} />
          <YAxis tickFormatter={(v: number) => formatUsdCompact(v)} tick={AXIS_TICK} width={64} />
          <Tooltip {...TOOLTIP_PROPS} cursor={TOOLTIP_CURSOR} formatter={(v) => formatUsd(Number(v))} labelFormatter={partialDayTooltipLabel(today)} />
          <PartialDayMark day={today} kind="band" />
          <Legend wrapperStyle={LEGEND_STYLE} />
          {series.map((s) => (
            <Bar key={s} dataKey={s} stackId="spend" fill={colors[s]} isAnimationActive={false} onClick={open} cursor={open ? 'pointer' : undefined}>
              {/* today's bar is lighter: the day is not over */}
              {today && points.map((p) => <Cell key={p.day} fillOpacity={p.day === today ? 0.45 : 1} />)}
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}
