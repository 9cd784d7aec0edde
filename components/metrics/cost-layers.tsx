'use client'
import { Alert, Card, Kpi, Skeleton } from '@/components/ui'
import { DailySpendChart } from '@/components/charts/daily-spend-chart'
import { useMetrics, type TMetricsParams } from '@/components/metrics/queries'
import { dailySeries } from '@/lib/metrics/prepare'
import { COST_LAYERS, costLayers, LAYER_DEFINITION, LAYER_LABEL, layerOf } from '@/lib/metrics/layers'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'

// "Dashboards that only show the OpenAI bill miss two-thirds of the story" (seed 000): the range's spend in its
// three layers — provider inference, retrieval and orchestration, the retry and quality tax — each with its share,
// and per day. One request: the range per day by call type and outcome (lib/metrics/layers.ts assigns the layer).

export function CostLayers({ org, params, scope }: { org: string; params: TMetricsParams & { from: string; to: string }; scope: string }) {
  const daily = useMetrics(org, { ...params, granularity: 'day', group_by: 'call_type,outcome', measures: 'cost_usd' })
  const rows = daily.data?.rows ?? null
  const layers = rows ? costLayers(rows) : null
  const series = rows
    ? dailySeries(
        rows.map((r) => ({ ...r, layer: LAYER_LABEL[layerOf(r.call_type, r.outcome)] })),
        'layer',
        new Date(params.from),
        new Date(params.to),
      )
    : null
  return (
    <Card
      title="The three layers of the spend"
      subtitle={`${scope}: provider inference, retrieval and orchestration, and the retry and quality tax, by call type and outcome. USD.`}
    >
      {daily.error ? (
        <Alert>Could not load the layers: {daily.error.message}</Alert>
      ) : (
        <>
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-3" data-testid="cost-layers">
            {(layers ?? [null, null, null]).map((l, i) => (
              <Kpi
                key={l?.layer ?? i}
                label={l ? l.label : ' '}
                value={l ? formatUsd(l.cost_usd) : null}
                hint={l ? `${l.share === null ? '—' : formatPercent(l.share)} of the spend · ${formatCount(l.events)} calls` : undefined}
                testId={l ? `layer-${l.layer}` : undefined}
              />
            ))}
          </div>
          <div className="mt-4">
            {series ? <DailySpendChart points={series.points} series={series.series} label="Spend per day, stacked by layer" /> : <Skeleton className="h-72" />}
          </div>
        </>
      )}
      <dl className="mt-3 grid gap-2 text-xs text-slate-600 sm:grid-cols-3">
        {COST_LAYERS.map((l) => (
          <div key={l}>
            <dt className="font-medium text-slate-700">{LAYER_LABEL[l]}</dt>
            <dd>{LAYER_DEFINITION[l]}</dd>
          </div>
        ))}
      </dl>
    </Card>
  )
}
