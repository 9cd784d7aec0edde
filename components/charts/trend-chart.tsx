'use client'
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { AXIS_TICK, CHART_MARGIN, dayTick, GRID_PROPS, LEGEND_STYLE, seriesColors, utcLabel } from '@/components/charts/theme'

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
  return (
    <div className={height} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={CHART_MARGIN}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="day" tickFormatter={dayTick} tick={AXIS_TICK} minTickGap={16} />
          <YAxis tickFormatter={(v: number) => format(v)} tick={AXIS_TICK} width={64} domain={[0, 'auto']} />
          <Tooltip formatter={(v) => format(Number(v))} labelFormatter={utcLabel} />
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
