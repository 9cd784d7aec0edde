'use client'
import { ZoneNote } from '@/components/layout/time-zone'
import Link from 'next/link'
import { useMemo } from 'react'
import { useMetrics, type TMetricsParams } from '@/components/metrics/queries'
import { CostLayers } from '@/components/metrics/cost-layers'
import { useFeatureSlos } from '@/components/features/queries'
import { DailySpendChart } from '@/components/charts/daily-spend-chart'
import { FilterBar, PeriodsNote, useUrlFilters } from '@/components/metrics/filters'
import { filtersQuery } from '@/lib/metrics/breakdown'
import { scopeOf } from '@/components/calls/links'
import { callsHref, modelFilters, modelsFilters } from '@/lib/calls/view'
import { BreakdownTable } from '@/components/charts/breakdown-table'
import { listColors } from '@/components/charts/theme'
import { useOrgNames } from '@/components/charts/org-colors'
import { Alert, Card, Kpi, Skeleton } from '@/components/ui'
import { dailySeries, internalTraffic, topN, totals } from '@/lib/metrics/prepare'
import { sloBreaches, type TSloBreach } from '@/lib/metrics/views/features'
import { spikeQuery } from '@/lib/changes/view'
import type { TDailyPoint } from '@/lib/metrics/prepare'
import { formatCompact, formatCount, formatPercent, formatUsd, isUnpricedOnly } from '@/lib/format'
import { rangeLabel } from '@/lib/metrics/range'
import { spendChangeHint } from '@/components/metrics/detail-page'
import { signedPercent } from '@/components/metrics/breakdown'
import { FinanceHeadline, FinancePanels, useFinanceOverview } from '@/components/overview/finance'
import { ResponseCacheLine } from '@/components/metrics/response-cache'

// The question a finance lead brings here (app/(dashboard)/[org]/overview/page.tsx):
// first the month — spend today and to date against the budgets, where it will
// land, what moved, what is open, and whether last month matched the bill
// (components/overview/finance.tsx) — then, for the range picked above, "what
// did we spend on AI, is it trending up, and which workflow / model /
// environment is it going to?" Filters are kept in the URL, like on every
// breakdown page; the month row is always the whole organization.

export function Overview({ org }: { org: string }) {
  const { filters, update, periods, filtered } = useUrlFilters()
  // from and to stay required here: the daily series spans them
  const base = useMemo(
    () => ({ ...periods.current, environment: filters.environment, traffic_source: filters.traffic_source }) satisfies TMetricsParams,
    [periods, filters.environment, filters.traffic_source],
  )

  const total = useMetrics(org, { ...base, granularity: 'none' })
  // "compare with the previous period": the same figures for the period before (lib/metrics/range.ts rangePeriods)
  const previous = useMetrics(org, { ...base, ...periods.previous, granularity: 'none' }, { enabled: filters.compare })
  const daily = useMetrics(org, { ...base, granularity: 'day', group_by: 'traffic_source' })
  const byWorkflow = useMetrics(org, { ...base, group_by: 'workflow_id' })
  const byModel = useMetrics(org, { ...base, group_by: 'provider,model' })
  const byEnv = useMetrics(org, { ...base, group_by: 'environment' })
  const byFeature = useMetrics(org, { ...base, group_by: 'feature' })
  // colours over the organization's every workflow and model: the same on every page
  const workflowNames = useOrgNames(org, 'workflow_id')
  const orgModelNames = useOrgNames(org, 'model')
  const slos = useFeatureSlos(org)
  const finance = useFinanceOverview(org, filters)
  const breaches = byFeature.data && slos.data ? sloBreaches(byFeature.data.rows, slos.data.slos) : []
  // a breach is only shown when both reads answered: a failed one says so instead of implying none
  const sloError = byFeature.error ?? slos.error

  const t = total.data ? totals(total.data.rows) : null
  const before = filters.compare && previous.data ? totals(previous.data.rows) : null
  const spendHint =
    t && before
      ? `${rangeLabel(filters.range)} · previous ${formatUsd(before.cost_usd)}, ${spendChangeHint(t.cost_usd, before.cost_usd)}`
      : rangeLabel(filters.range)
  const series = daily.data ? dailySeries(daily.data.rows, 'traffic_source', new Date(base.from), new Date(base.to)) : null
  const internal = daily.data ? internalTraffic(daily.data.rows) : null
  const models = byModel.data
    ? topN(
        byModel.data.rows.map((r) => ({ ...r, name: r.model ? `${r.provider ?? '?'}/${r.model}` : '(self-hosted)' })),
        'name',
      )
    : null
  const modelNames = byModel.data ? byModel.data.rows.map((r) => (r.model ? `${r.provider ?? '?'}/${r.model}` : '(self-hosted)')) : []
  // a workflow's / model's colour is the one it has on every page: over all the keys with spend in the range, not only the top rows shown
  const workflowColor = listColors(
    (byWorkflow.data?.rows ?? []).filter((r) => r.events > 0 && r.workflow_id != null).map((r) => String(r.workflow_id)),
    ['(none)', 'Other'],
    workflowNames,
  )
  const modelColor = listColors(
    modelNames.filter((_n, i) => (byModel.data?.rows[i]?.events ?? 0) > 0),
    ['(self-hosted)', 'Other'],
    orgModelNames,
  )
  const empty = t !== null && t.events === 0 && !filtered
  const error = total.error ?? previous.error ?? daily.error ?? byWorkflow.error ?? byModel.error ?? byEnv.error
  const dayHref = (day: string) => `/${org}/changes?${spikeQuery(day, filters)}`

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Overview</h1>
          <p className="text-sm text-slate-600">
            AI inference spend, priced per call and rolled up by the hour. <ZoneNote />
          </p>
        </div>
        <FilterBar filters={filters} update={update} />
      </div>
      <PeriodsNote periods={periods} range={filters.range} compare={filters.compare} />

      {error && <Alert>Could not load metrics: {error.message}</Alert>}

      {empty ? (
        <Card title="No events yet">
          <div className="space-y-3 text-sm text-slate-700">
            <p>Outlay shows spend as soon as your services report their model calls.</p>
            <ol className="list-decimal space-y-1 pl-5">
              <li>
                <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/settings`}>
                  Create an API key
                </Link>{' '}
                with the <code>ingest</code> scope.
              </li>
              <li>
                Send each model call to <code>POST /api/v1/events</code> with its workflow, step, model and token counts.
              </li>
              <li>Come back here: numbers appear within seconds.</li>
            </ol>
          </div>
        </Card>
      ) : (
        <>
          <FinanceHeadline f={finance} />
          <FinancePanels org={org} f={finance} range={filters.range} />

          <h2 className="pt-2 text-base font-semibold">
            {rangeLabel(filters.range)}
            {filters.environment ? `, ${filters.environment} environment` : ''}
            {filters.traffic_source ? `, ${filters.traffic_source} traffic` : ''}
          </h2>
          <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-3 xl:grid-cols-6">
            <Kpi
              label="Spend"
              term="spend"
              value={t ? (isUnpricedOnly(t.cost_usd, t.unpriced_events) ? 'unpriced' : formatUsd(t.cost_usd)) : null}
              testId="kpi-spend"
              hint={spendHint}
              warn={!!t && isUnpricedOnly(t.cost_usd, t.unpriced_events)}
            />
            <Kpi
              label="Model calls"
              term="calls"
              value={t ? formatCount(t.events) : null}
              testId="kpi-events"
              hint={
                t && before
                  ? `previous ${formatCount(before.events)}${before.events ? `, ${signedPercent((t.events - before.events) / before.events)}` : ''}`
                  : undefined
              }
            />
            <Kpi label="Tokens in / out" value={t ? `${formatCompact(t.tokens_in)} / ${formatCompact(t.tokens_out)}` : null} />
            <Kpi
              label="Prompt-cache savings"
              value={t ? formatUsd(t.cache_savings_usd) : null}
              hint={t ? `${formatPercent(t.cache_hit_rate)} of input tokens cached` : undefined}
            />
            <Kpi
              label="Internal traffic"
              value={internal ? formatPercent(internal.share) : null}
              testId="kpi-internal"
              hint={
                filters.traffic_source ? 'Filtered to one traffic source' : internal ? `${formatUsd(internal.internal_usd)} on eval, replay and ops` : undefined
              }
            />
            <Kpi
              label="Unpriced calls"
              term="unpriced"
              value={t ? formatCount(t.unpriced_events) : null}
              testId="kpi-unpriced"
              hint={t && t.unpriced_events > 0 ? 'Models without a price: not in Spend' : 'Every call has a price'}
              warn={!!t && t.unpriced_events > 0}
            />
          </section>
          <ResponseCacheLine org={org} totals={t} />

          {breaches.length > 0 && <SloBreaches org={org} query={filtersQuery(filters)} breaches={breaches} />}
          {sloError && <Alert>Could not check the features’ cost SLOs: {sloError.message}</Alert>}

          <Card
            title="Spend per day"
            subtitle="USD, stacked by traffic source: internal eval, replay and ops traffic is a line item, not noise. Click a day to see what changed against the same weekday a week earlier."
          >
            {series ? <DailySpendChart points={series.points} series={series.series} dayHref={dayHref} /> : <Skeleton className="h-72" />}
            {series && <DayLinks points={series.points} dayHref={dayHref} />}
          </Card>

          <CostLayers org={org} params={base} scope={rangeLabel(filters.range)} />

          <div className="grid gap-6 lg:grid-cols-2 2xl:grid-cols-3">
            <Card title="Spend by workflow">
              {byWorkflow.data ? (
                <BreakdownTable
                  items={topN(byWorkflow.data.rows, 'workflow_id').items}
                  label="Workflow"
                  testId="by-workflow"
                  colorOf={workflowColor}
                  href={(w) => `/${org}/workflows/${encodeURIComponent(w)}?${filtersQuery(filters)}`}
                  otherHref={(ws) => callsHref(org, { ...scopeOf(filters), workflow_id: ws.join(',') })}
                />
              ) : (
                <Skeleton className="h-48" />
              )}
            </Card>
            <Card title="Spend by model">
              {models ? (
                <BreakdownTable
                  items={models.items}
                  label="Provider / model"
                  testId="by-model"
                  colorOf={modelColor}
                  href={(name) => {
                    const m = modelFilters(name)
                    return m ? callsHref(org, { ...scopeOf(filters), ...m }) : null
                  }}
                  otherHref={(names) => {
                    const m = modelsFilters(names, modelNames)
                    return m ? callsHref(org, { ...scopeOf(filters), ...m }) : null
                  }}
                />
              ) : (
                <Skeleton className="h-48" />
              )}
            </Card>
            <Card title="Spend by environment">
              {byEnv.data ? (
                <BreakdownTable
                  items={topN(byEnv.data.rows, 'environment').items}
                  label="Environment"
                  testId="by-environment"
                  href={(e) => (filters.environment ? null : `/${org}/overview?${filtersQuery({ ...filters, environment: e })}`)}
                />
              ) : (
                <Skeleton className="h-48" />
              )}
            </Card>
          </div>
        </>
      )}
    </div>
  )
}

/** The chart's days as links (the keyboard's way to "what changed on this day"), busiest day first marked. */
function DayLinks({ points, dayHref }: { points: TDailyPoint[]; dayHref: (day: string) => string }) {
  const days = points.filter((p) => p.total > 0)
  if (days.length === 0) return null
  return (
    <details className="mt-3 text-sm" data-testid="day-links">
      <summary className="cursor-pointer text-brand-700 hover:underline">What changed on a day? Compare a day with the same weekday a week earlier</summary>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1">
        {days.map((p) => (
          <li key={p.day}>
            <Link className="text-brand-700 hover:underline" href={dayHref(p.day)}>
              {p.day}
            </Link>{' '}
            <span className="num text-xs text-slate-500">{formatUsd(p.total)}</span>
          </li>
        ))}
      </ul>
    </details>
  )
}

/** Features whose cost per action in the selected range is above their cost SLO; shown only when there is one. */
function SloBreaches({ org, query, breaches }: { org: string; query: string; breaches: TSloBreach[] }) {
  return (
    <Card
      title="Cost SLOs breached"
      subtitle="Features whose cost per action (spend ÷ runs) in this range is above their target."
      actions={
        <Link className="text-sm font-medium text-brand-600 hover:underline" href={`/${org}/features?${query}`}>
          Features
        </Link>
      }
    >
      <ul className="divide-y divide-slate-100 text-sm" data-testid="slo-breaches">
        {breaches.map((b) => (
          <li key={b.feature} className="flex flex-wrap items-baseline gap-x-3 py-1.5">
            <Link className="min-w-0 flex-1 truncate font-medium text-slate-900 hover:underline" href={`/${org}/features?${query}`} title={b.feature}>
              {b.feature}
            </Link>
            <span className="num font-semibold text-red-700" data-cost-per-action={b.cost_per_action_usd}>
              {formatUsd(b.cost_per_action_usd, { precise: true })}
            </span>
            <span className="num text-xs text-slate-500">per run, target {formatUsd(b.target_usd_per_action, { precise: true })}</span>
          </li>
        ))}
      </ul>
    </Card>
  )
}
