'use client'
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { TWaterfallBar } from '@/lib/changes/view'
import { formatUsd, formatUsdCompact } from '@/lib/format'

const FILL: Record<TWaterfallBar['kind'], string> = { total: '#64748b', up: '#ef4444', down: '#10b981' }

/** Draws prepared waterfall bars: an invisible base under each visible step. */
export function WaterfallChart({ bars }: { bars: TWaterfallBar[] }) {
  return (
    <div className="h-72" role="img" aria-label="Waterfall from the spend of period A, through each part of the change, to the spend of period B">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="name" tick={{ fontSize: 12, fill: '#64748b' }} interval={0} />
          <YAxis tickFormatter={(v: number) => formatUsdCompact(v)} tick={{ fontSize: 12, fill: '#64748b' }} width={64} />
          <Tooltip formatter={(_v, _n, item) => formatUsd((item.payload as TWaterfallBar).usd)} cursor={{ fill: '#f1f5f9' }} />
          <Bar dataKey="base" stackId="w" fill="transparent" isAnimationActive={false} tooltipType="none" />
          <Bar dataKey="size" stackId="w" isAnimationActive={false} name="USD">
            {bars.map((b) => <Cell key={b.name} fill={FILL[b.kind]} />)}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
