'use client'
import { useRouter } from 'next/navigation'
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { TDailyPoint } from '@/lib/metrics/prepare'
import { formatUsd, formatUsdCompact } from '@/lib/format'

const COLORS = ['#2f6fde', '#f59e0b', '#10b981', '#8b5cf6', '#ef4444', '#64748b']

/** Draws prepared daily points; one stacked bar per series. With `dayHref`, a click on a day's bar opens that link (keyboard users need the same links beside the chart). */
export function DailySpendChart({ points, series, dayHref, label = 'Spend per day, stacked by traffic source' }: {
  points: TDailyPoint[]; series: string[]; dayHref?: (day: string) => string; label?: string
}) {
  const router = useRouter()
  const open = dayHref ? (d: { payload?: TDailyPoint }) => d.payload?.day && router.push(dayHref(d.payload.day)) : undefined
  return (
    <div className="h-72" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 12, fill: '#64748b' }} minTickGap={16} />
          <YAxis tickFormatter={(v: number) => formatUsdCompact(v)} tick={{ fontSize: 12, fill: '#64748b' }} width={64} />
          <Tooltip formatter={(v) => formatUsd(Number(v))} labelFormatter={(d) => `${d} (UTC)`} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((s, i) => (
            <Bar key={s} dataKey={s} stackId="spend" fill={COLORS[i % COLORS.length]} isAnimationActive={false} onClick={open} cursor={open ? 'pointer' : undefined} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
