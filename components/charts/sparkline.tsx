'use client'
import { Area, AreaChart, YAxis } from 'recharts'
import { CHART_COLORS } from '@/components/charts/theme'

/**
 * A tiny fixed-size trend line for a table cell: no axes, no tooltip, no
 * animation (one per row must stay cheap). The scale starts at 0, so a flat
 * line reads as flat, not as volatility.
 */
export function Sparkline({
  values,
  label,
  width = 120,
  height = 28,
  color = CHART_COLORS.primary,
}: {
  values: number[]
  label: string
  width?: number
  height?: number
  /** the row's series colour (theme.ts listColors), so a workflow's trend has its colour on every page */
  color?: string
}) {
  const data = values.map((v, i) => ({ i, v }))
  return (
    <div role="img" aria-label={label} title={label} style={{ width, height }} data-series-color={color}>
      <AreaChart width={width} height={height} data={data} margin={{ top: 2, right: 0, bottom: 2, left: 0 }}>
        <YAxis hide domain={[0, 'dataMax']} />
        <Area type="linear" dataKey="v" stroke={color} strokeWidth={1.5} fill={color} fillOpacity={0.12} isAnimationActive={false} dot={false} />
      </AreaChart>
    </div>
  )
}
