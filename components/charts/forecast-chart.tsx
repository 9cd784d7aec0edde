'use client'
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { formatUsd, formatUsdCompact } from '@/lib/format'

export type TForecastChartPoint = { day: string; actual: number | null; forecast: number | null; band: [number, number] | null; scenario?: number | null }

/** Daily spend: recorded (solid), forecast (dashed) and its 95% band (shaded); a what-if scenario (dash-dot) when the points carry one. */
export function ForecastChart({ data, label }: { data: TForecastChartPoint[]; label: string }) {
  return (
    <div className="h-72" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 12, fill: '#64748b' }} minTickGap={24} />
          <YAxis tickFormatter={(v: number) => formatUsdCompact(v)} tick={{ fontSize: 12, fill: '#64748b' }} width={64} domain={[0, 'auto']} />
          <Tooltip
            formatter={(v) => (Array.isArray(v) ? `${formatUsd(Number(v[0]))} – ${formatUsd(Number(v[1]))}` : formatUsd(Number(v)))}
            labelFormatter={(d) => `${d} (UTC)`}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Area dataKey="band" name="95% band" stroke="none" fill="#f59e0b" fillOpacity={0.18} isAnimationActive={false} connectNulls={false} />
          <Line dataKey="actual" name="Spend per day" stroke="#2563eb" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
          <Line dataKey="forecast" name="Forecast" stroke="#d97706" strokeDasharray="5 4" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
          {data.some((p) => p.scenario != null) && (
            <Line dataKey="scenario" name="What-if scenario" stroke="#7c3aed" strokeDasharray="8 3 2 3" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  )
}
