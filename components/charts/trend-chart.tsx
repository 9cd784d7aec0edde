'use client'
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

export type TTrendLine = { key: string; label: string; color: string }

/**
 * Daily lines on one axis (e.g. input and output tokens per call). Points are
 * prepared by lib/metrics; a null value is a day without data (a gap, not 0).
 */
export function TrendChart<T extends { day: string }>({ data, lines, label, format, height = 'h-56' }: {
  data: T[]; lines: TTrendLine[]; label: string; format: (v: number) => string; height?: string
}) {
  return (
    <div className={height} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 12, fill: '#64748b' }} minTickGap={16} />
          <YAxis tickFormatter={(v: number) => format(v)} tick={{ fontSize: 12, fill: '#64748b' }} width={64} domain={[0, 'auto']} />
          <Tooltip formatter={(v) => format(Number(v))} labelFormatter={(d) => `${d} (UTC)`} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {lines.map((l) => (
            <Line key={l.key} dataKey={l.key} name={l.label} stroke={l.color} strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}
