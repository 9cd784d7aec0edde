'use client'
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import {
  AXIS_TICK,
  CHART_MARGIN,
  dayTick,
  GRID_PROPS,
  LEGEND_STYLE,
  PARTIAL_DAY_LABEL,
  PARTIAL_DAY_LINE,
  partialDayIn,
  seriesColors,
  utcLabel,
} from '@/components/charts/theme'

/** A line; without a colour it takes its key's series colour (components/charts/theme.ts). */
export type TTrendLine = { key: string; label: string; color?: string }

/**
 * Daily lines on one axis (e.g. input and output tokens per call). Points are
 * prepared by lib/metrics; a null value is a day without data (a gap, not 0).
 */
export function TrendChart<T extends { day: string }>({
  data,
  lines,
  label,
  format,
  height = 'h-56',
}: {
  data: T[]
  lines: TTrendLine[]
  label: string
  format: (v: number) => string
  height?: string
}) {
  const colors = seriesColors(lines.filter((l) => !l.color).map((l) => l.key))
  const today = partialDayIn(data.map((d) => d.day))
  return (
    <div className={height} role="img" aria-label={today ? `${label}; the last day, ${PARTIAL_DAY_LABEL}` : label} data-partial-day={today ?? undefined}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={CHART_MARGIN}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="day" tickFormatter={dayTick} tick={AXIS_TICK} minTickGap={16} />
          <YAxis tickFormatter={(v: number) => format(v)} tick={AXIS_TICK} width={64} domain={[0, 'auto']} />
          <Tooltip formatter={(v) => format(Number(v))} labelFormatter={(d) => (d === today ? `${utcLabel(d)}, ${PARTIAL_DAY_LABEL}` : utcLabel(d))} />
          {today && <ReferenceLine x={today} {...PARTIAL_DAY_LINE} />}
          <Legend wrapperStyle={LEGEND_STYLE} />
          {lines.map((l) => (
            <Line
              key={l.key}
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
    </div>
  )
}
