'use client'
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFrame, PartialDayMark } from '@/components/charts/partial-day'
import {
  AXIS_TICK,
  axisLabel,
  CHART_MARGIN,
  CHART_MARGIN_WIDE,
  dayTick,
  GRID_PROPS,
  LEGEND_STYLE,
  partialDayIn,
  partialDayTooltipLabel,
  seriesColors,
  TOOLTIP_PROPS,
} from '@/components/charts/theme'

/** A line; without a colour it takes its key's series colour (components/charts/theme.ts). `axis: 'right'` draws it against the second axis. */
export type TTrendLine = { key: string; label: string; color?: string; axis?: 'left' | 'right' }

/** An axis's title (with its unit) and its number format. */
export type TTrendAxis = { label: string; format: (v: number) => string }

/**
 * Daily lines. Points are prepared by lib/metrics; a null value is a day
 * without data (a gap, not 0). With `right`, the lines marked `axis: 'right'`
 * have their own axis on the right (e.g. output tokens beside input tokens,
 * which are ten times larger): each axis is titled with its unit.
 */
export function TrendChart<T extends { day: string }>({
  data,
  lines,
  label,
  format,
  height = 'h-56',
  leftLabel,
  right,
}: {
  data: T[]
  lines: TTrendLine[]
  label: string
  format: (v: number) => string
  height?: string
  /** the left axis's title, with its unit */
  leftLabel?: string
  /** the right axis, for the lines marked `axis: 'right'` */
  right?: TTrendAxis
}) {
  const colors = seriesColors(lines.filter((l) => !l.color).map((l) => l.key))
  const today = partialDayIn(data.map((d) => d.day))
  const rightKeys = new Set(right ? lines.filter((l) => l.axis === 'right').map((l) => l.key) : [])
  return (
    <ChartFrame label={label} today={today} className={height}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={right ? CHART_MARGIN_WIDE : CHART_MARGIN}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="day" tickFormatter={dayTick} tick={AXIS_TICK} minTickGap={16} />
          <YAxis
            yAxisId="left"
            tickFormatter={(v: number) => format(v)}
            tick={AXIS_TICK}
            width={leftLabel ? 72 : 64}
            domain={[0, 'auto']}
            label={leftLabel ? axisLabel(leftLabel) : undefined}
          />
          {right && (
            <YAxis
              yAxisId="right"
              orientation="right"
              tickFormatter={(v: number) => right.format(v)}
              tick={AXIS_TICK}
              width={72}
              domain={[0, 'auto']}
              label={axisLabel(right.label, 'right')}
            />
          )}
          <Tooltip
            {...TOOLTIP_PROPS}
            formatter={(v, _n, item) => (rightKeys.has(String(item.dataKey)) && right ? right.format(Number(v)) : format(Number(v)))}
            labelFormatter={partialDayTooltipLabel(today)}
          />
          <PartialDayMark day={today} kind="line" yAxisId="left" />
          <Legend wrapperStyle={LEGEND_STYLE} />
          {lines.map((l) => (
            <Line
              key={l.key}
              yAxisId={rightKeys.has(l.key) ? 'right' : 'left'}
              dataKey={l.key}
              name={l.label}
              stroke={l.color ?? colors[l.key]}
              strokeWidth={2}
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  )
}
