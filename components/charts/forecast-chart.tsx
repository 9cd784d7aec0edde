'use client'
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFrame, PartialDayMark } from '@/components/charts/partial-day'
import { formatUsd, formatUsdCompact } from '@/lib/format'
import {
  AXIS_TICK,
  CHART_COLORS,
  dayTick,
  GRID_PROPS,
  LEGEND_STYLE,
  CHART_MARGIN_WIDE,
  PARTIAL_DAY_LABEL,
  partialDayIn,
  partialDayTooltipLabel,
  TOOLTIP_PROPS,
} from '@/components/charts/theme'

export type TForecastChartPoint = { day: string; actual: number | null; forecast: number | null; band: [number, number] | null; scenario?: number | null }

/** Daily spend: recorded (solid), forecast (dashed) and its 95% band (shaded); a what-if scenario (dash-dot) when the points carry one. */
export function ForecastChart({ data, label }: { data: TForecastChartPoint[]; label: string }) {
  // today's recorded spend is partial: marked where it is recorded (the forecast carries on from it)
  const today = partialDayIn(data.filter((p) => p.actual != null).map((p) => p.day))
  return (
    <ChartFrame label={label} today={today} partialText={`${PARTIAL_DAY_LABEL} recorded so far`}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={CHART_MARGIN_WIDE}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="day" tickFormatter={dayTick} tick={AXIS_TICK} minTickGap={24} />
          <YAxis tickFormatter={(v: number) => formatUsdCompact(v)} tick={AXIS_TICK} width={64} domain={[0, 'auto']} />
          <Tooltip
            {...TOOLTIP_PROPS}
            formatter={(v) => (Array.isArray(v) ? `${formatUsd(Number(v[0]))} – ${formatUsd(Number(v[1]))}` : formatUsd(Number(v)))}
            labelFormatter={partialDayTooltipLabel(today)}
          />
          <PartialDayMark day={today} kind="line" />
          <Legend wrapperStyle={LEGEND_STYLE} />
          <Area dataKey="band" name="95% band" stroke="none" fill={CHART_COLORS.forecast} fillOpacity={0.18} isAnimationActive={false} connectNulls={false} />
          <Line
            dataKey="actual"
            name="Spend per day"
            stroke={CHART_COLORS.primary}
            strokeWidth={2}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
          <Line
            dataKey="forecast"
            name="Forecast"
            stroke={CHART_COLORS.forecast}
            strokeDasharray="5 4"
            strokeWidth={2}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
          {data.some((p) => p.scenario != null) && (
            <Line
              dataKey="scenario"
              name="What-if scenario"
              stroke={CHART_COLORS.scenario}
              strokeDasharray="8 3 2 3"
              strokeWidth={2}
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}
