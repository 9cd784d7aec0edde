'use client'
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { waterfallFloor, type TWaterfallBar } from '@/lib/changes/view'
import { formatUsd, formatUsdCompact } from '@/lib/format'
import { AXIS_TICK, CHART_COLORS, CHART_MARGIN, GRID_PROPS, TOOLTIP_CURSOR, TOOLTIP_PROPS } from '@/components/charts/theme'

const FILL: Record<TWaterfallBar['kind'], string> = { total: CHART_COLORS.neutral, up: CHART_COLORS.bad, down: CHART_COLORS.good }

/** Draws prepared waterfall bars: an invisible base under each visible step. */
export function WaterfallChart({ bars }: { bars: TWaterfallBar[] }) {
  const floor = waterfallFloor(bars)
  return (
    <div
      className="h-72"
      role="img"
      data-axis-floor={floor}
      aria-label={`Waterfall from the spend of period A, through each part of the change, to the spend of period B${floor > 0 ? `; the axis starts at ${formatUsd(floor)}` : ''}`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={bars} margin={CHART_MARGIN}>
          <CartesianGrid {...GRID_PROPS} />
          <XAxis dataKey="name" tick={AXIS_TICK} interval={0} />
          <YAxis tickFormatter={(v: number) => formatUsdCompact(v)} tick={AXIS_TICK} width={64} domain={[floor, 'auto']} allowDataOverflow={floor > 0} />
          <Tooltip {...TOOLTIP_PROPS} formatter={(_v, _n, item) => formatUsd((item.payload as TWaterfallBar).usd)} cursor={TOOLTIP_CURSOR} />
          <Bar dataKey="base" stackId="w" fill="transparent" isAnimationActive={false} tooltipType="none" />
          <Bar dataKey="size" stackId="w" isAnimationActive={false} name="USD">
            {bars.map((b) => (
              <Cell key={b.name} fill={FILL[b.kind]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
