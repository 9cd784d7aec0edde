'use client'
import { retryTaxShare } from '@/lib/metrics/definitions'
import { micros, microsToUsd } from '@/lib/domain'
import Link from 'next/link'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { useMemo } from 'react'
import { Button, Card, Kpi, Skeleton } from '@/components/ui'
import { useMetrics, type TMetricsParams } from '@/components/metrics/queries'
import { useUrlFilters } from '@/components/metrics/filters'
import { downloadCsv } from '@/components/metrics/breakdown'
import { DetailPage, spendChangeHint } from '@/components/metrics/detail-page'
import { spikeQuery } from '@/lib/changes/view'
import { TrafficSplit } from '@/components/metrics/traffic-split'
import { DailySpendChart } from '@/components/charts/daily-spend-chart'
import { useSeriesColors } from '@/components/charts/org-colors'
import { TrendChart } from '@/components/charts/trend-chart'
import { dailySeries, totals } from '@/lib/metrics/prepare'
import { csvFilename, filtersQuery, perUnit } from '@/lib/metrics/breakdown'
import { dailyQuality, modelName, modelRows, outcomeSplit, stepRows, stepsCsvRows, type TModelRow, type TStepRow } from '@/lib/metrics/views/workflow-detail'
import { toCsv } from '@/lib/csv'
import { formatCompact, formatCount, formatMs, formatPercent, formatUsd } from '@/lib/format'
import { useCan } from '@/components/layout/role-context'
import { CHART_COLORS } from '@/components/charts/theme'
import { latencyGranularity } from '@/lib/metrics/views/latency-routing'
import { LatencyRoutingCard } from '@/components/workflows/latency-routing-card'
import { CostLayers } from '@/components/metrics/cost-layers'
import { ResponseCacheLine } from '@/components/metrics/response-cache'
import { PromptVersionsCard } from '@/components/workflows/prompt-versions-card'
import { CallsLink, scopeOf } from '@/components/calls/links'
import { callsHref, modelFilters } from '@/lib/calls/view'

// The question a workflow's owner brings here: "what does one run of this
// workflow cost, which steps and models does the money go to, and is anything
// drifting: tokens per call, retries, latency, cost per accepted outcome?"
// and the on-call engineer's: "when latency spiked, was it a fallback or
// escalation storm, or something else?" (LatencyRoutingCard)

export function WorkflowDetail({ org, workflow }: { org: string; workflow: string }) {
  const url = useUrlFilters()
  const { filters, periods } = url
  const base: TMetricsParams = useMemo(
    () => ({ ...periods.current, environment: filters.environment, traffic_source: filters.traffic_source, workflow_id: workflow }),
    [periods, filters.environment, filters.traffic_source, workflow],
  )
  const current = useMetrics(org, { ...base, granularity: 'none', group_by: 'workflow_id', latency_quantiles: 'true' })
  // the change against the previous period and the two daily spend charts read spend only (measures=: no outcomes read, fewer sums)
  const previous = useMetrics(org, { ...base, ...periods.previous, granularity: 'none', group_by: 'workflow_id', measures: 'cost_usd' })
  const steps = useMetrics(org, { ...base, granularity: 'none', group_by: 'step', latency_quantiles: 'true' })
  const stepModels = useMetrics(org, { ...base, granularity: 'none', group_by: 'step,provider,model' })
  const models = useMetrics(org, { ...base, granularity: 'none', group_by: 'provider,model', latency_quantiles: 'true' })
  const dailyByStep = useMetrics(org, { ...base, granularity: 'day', group_by: 'step', measures: 'cost_usd' })
  const dailyByModel = useMetrics(org, { ...base, granularity: 'day', group_by: 'provider,model', measures: 'cost_usd' })
  const dailyByOutcome = useMetrics(org, { ...base, granularity: 'day', group_by: 'outcome' })
  // the period's totals per outcome in one query: summing the daily rows (each rounded to 6 decimals) can drift by a micro-dollar
  const byOutcome = useMetrics(org, { ...base, granularity: 'none', group_by: 'outcome' })
  const dailyOutcomes = useMetrics(org, { ...base, granularity: 'day', group_by: 'workflow_id' })
  // latency beside fallbacks and escalations: per hour up to a week (a storm lasts an hour or two), else per day (then the daily outcome rows above serve)
  const granularity = latencyGranularity(periods.current)
  const latencyByBucket = useMetrics(org, { ...base, granularity, group_by: 'workflow_id', measures: 'events', latency_quantiles: 'true' })
  const hourlyByOutcome = useMetrics(org, { ...base, granularity: 'hour', group_by: 'outcome', measures: 'events' }, { enabled: granularity === 'hour' })
  const outcomesByBucket = granularity === 'hour' ? hourlyByOutcome : dailyByOutcome
  const all = [
    current,
    previous,
    steps,
    stepModels,
    models,
    dailyByStep,
    dailyByModel,
    dailyByOutcome,
    byOutcome,
    dailyOutcomes,
    latencyByBucket,
    outcomesByBucket,
  ]
  const error = all.find((q) => q.error)?.error ?? null

  const now = current.data ? (current.data.rows[0] ?? null) : undefined
  const before = previous.data ? (previous.data.rows[0] ?? null) : undefined
  const t = current.data ? totals(current.data.rows) : null
  const runs = now?.runs ?? 0
  const wasteUsd = current.data ? microsToUsd(current.data.rows.reduce((s, r) => s + micros(r.retry_cost_usd), 0n)) : null

  const stepTable = useMemo(
    () => (steps.data && stepModels.data ? stepRows(steps.data.rows, stepModels.data.rows, runs) : null),
    [steps.data, stepModels.data, runs],
  )
  const modelTable = useMemo(() => (models.data ? modelRows(models.data.rows) : null), [models.data])
  const byStep = useMemo(
    () => (dailyByStep.data ? dailySeries(dailyByStep.data.rows, 'step', new Date(periods.current.from), new Date(periods.current.to)) : null),
    [dailyByStep.data, periods],
  )
  const byModel = useMemo(
    () =>
      dailyByModel.data
        ? dailySeries(
            dailyByModel.data.rows.map((r) => ({ ...r, name: modelName(r) })),
            'name',
            new Date(periods.current.from),
            new Date(periods.current.to),
          )
        : null,
    [dailyByModel.data, periods],
  )
  const modelColors = useSeriesColors(org, 'model', byModel?.series ?? [])
  const quality = useMemo(
    () => (dailyByOutcome.data && dailyOutcomes.data ? dailyQuality(dailyByOutcome.data.rows, dailyOutcomes.data.rows, periods.current) : null),
    [dailyByOutcome.data, dailyOutcomes.data, periods],
  )
  const split = useMemo(() => (byOutcome.data ? outcomeSplit(byOutcome.data.rows) : null), [byOutcome.data])
  const anyOutcomes = !!quality?.some((d) => d.accepted_outcomes > 0)
  const empty = current.data && previous.data && current.data.rows.length === 0 && previous.data.rows.length === 0

  const canExport = useCan('exports.read')

  const exportCsv = () => {
    if (stepTable) downloadCsv(csvFilename(`workflow-${workflow}-steps`, periods.current), toCsv(stepsCsvRows(stepTable)))
  }
  return (
    <DetailPage
      org={org}
      url={url}
      list={{ path: 'workflows', label: 'Workflows' }}
      name={workflow}
      title={`Workflow ${workflow}`}
      field="workflow_id"
      changes={{ workflow_id: workflow }}
      calls={{ workflow_id: workflow }}
      subtitle="Cost per run, by step and by model, and what drifts: tokens per call, retries, latency, cost per accepted outcome."
      error={error}
      empty={!!empty}
    >
      <>
        <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-3 xl:grid-cols-6">
          <Kpi
            label="Spend"
            term="spend"
            value={t ? formatUsd(t.cost_usd) : null}
            testId="kpi-spend"
            hint={t && before !== undefined ? spendChangeHint(t.cost_usd, before?.cost_usd ?? '0') : undefined}
          />
          <Kpi
            label="Cost per run"
            term="cost_per_run"
            value={now === undefined ? null : perUnit(t?.cost_usd ?? '0', runs) ? formatUsd(perUnit(t!.cost_usd, runs)!, { precise: true }) : '—'}
            testId="kpi-cost-per-run"
            hint={now === undefined ? undefined : `${formatCount(runs)} runs`}
          />
          <Kpi
            label="Cost per accepted outcome"
            term="cost_per_accepted_outcome"
            testId="kpi-cost-per-outcome"
            value={now === undefined ? null : now?.cost_per_accepted_outcome_usd ? formatUsd(now.cost_per_accepted_outcome_usd, { precise: true }) : '—'}
            hint={
              now === undefined
                ? undefined
                : now?.accepted_outcomes
                  ? `${formatCount(now.accepted_outcomes)} accepted outcomes, production traffic`
                  : 'No accepted outcomes reported'
            }
          />
          <Kpi
            label="Retry tax %"
            term="retry_tax_share"
            testId="kpi-retry-share"
            value={t && wasteUsd !== null ? formatPercent(retryTaxShare(micros(wasteUsd), micros(t.cost_usd))) : null}
            hint={wasteUsd !== null ? `${formatUsd(wasteUsd)} on retried or failed calls` : undefined}
            warn={!!t && wasteUsd !== null && retryTaxShare(micros(wasteUsd), micros(t.cost_usd)) >= 0.1}
          />
          <Kpi
            label="Prompt-cache hits"
            term="cache_hit_rate"
            value={t ? formatPercent(t.cache_hit_rate) : null}
            testId="kpi-cache"
            hint={t ? `${formatUsd(t.cache_savings_usd)} saved by cached input` : undefined}
          />
          <Kpi
            label="Latency p50 / p95"
            term="latency_p95"
            value={now === undefined ? null : `${formatMs(now?.latency_p50_ms)} / ${formatMs(now?.latency_p95_ms)}`}
            testId="kpi-latency"
            hint={now === undefined ? undefined : `${formatCompact(t?.events ?? 0)} calls`}
          />
        </section>
        <ResponseCacheLine org={org} totals={t} scope="each" />

        <div className="grid gap-6 xl:grid-cols-2">
          <Card title="Spend per day by step" subtitle="USD per UTC day, stacked by step. Click a day to see what changed against a week earlier.">
            {byStep ? (
              <DailySpendChart
                dayHref={(day) => `/${org}/changes?${spikeQuery(day, filters, { workflow_id: workflow })}`}
                points={byStep.points}
                series={byStep.series}
                label={`Spend per day of ${workflow}, stacked by step`}
              />
            ) : (
              <Skeleton className="h-72" />
            )}
          </Card>
          <Card title="Spend per day by model" subtitle="USD per UTC day, stacked by provider/model. Click a day to see what changed against a week earlier.">
            {byModel ? (
              <DailySpendChart
                dayHref={(day) => `/${org}/changes?${spikeQuery(day, filters, { workflow_id: workflow })}`}
                points={byModel.points}
                series={byModel.series}
                colors={modelColors}
                label={`Spend per day of ${workflow}, stacked by model`}
              />
            ) : (
              <Skeleton className="h-72" />
            )}
          </Card>
          <Card
            title="Tokens per call"
            subtitle="Average input tokens (left axis) and output tokens (right axis) per call, per day: a prompt that grew shows here first."
          >
            {quality ? (
              <TrendChart
                data={quality}
                label={`Input tokens per call (left axis) and output tokens per call (right axis) per day of ${workflow}`}
                format={(v) => formatCompact(v)}
                leftLabel="input tokens / call"
                right={{ label: 'output tokens / call', format: (v) => formatCompact(v) }}
                lines={[
                  { key: 'tokens_in_per_call', label: 'Input tokens / call (left)', color: CHART_COLORS.primary },
                  { key: 'tokens_out_per_call', label: 'Output tokens / call (right)', color: CHART_COLORS.forecast, axis: 'right' },
                ]}
              />
            ) : (
              <Skeleton className="h-56" />
            )}
          </Card>
          <Card title="Retry tax per day" subtitle="Spend on calls whose outcome was retry or error, USD per day.">
            {quality ? (
              <TrendChart
                data={quality}
                label={`Retry and error spend per day of ${workflow}`}
                format={(v) => formatUsd(v)}
                lines={[{ key: 'retry_usd', label: 'Retry tax (USD)', color: CHART_COLORS.bad }]}
              />
            ) : (
              <Skeleton className="h-56" />
            )}
          </Card>
          <Card title="Cost per accepted outcome" subtitle="Production cost ÷ accepted outcomes, per day.">
            {quality ? (
              anyOutcomes ? (
                <TrendChart
                  data={quality}
                  label={`Cost per accepted outcome per day of ${workflow}`}
                  format={(v) => formatUsd(v, { precise: v < 1 })}
                  lines={[{ key: 'cost_per_accepted_outcome_usd', label: 'Cost per accepted outcome (USD)', color: CHART_COLORS.good }]}
                />
              ) : (
                <p className="text-sm text-slate-600">
                  No accepted outcomes for this workflow in the period. Report them to <code>POST /api/v1/outcomes</code> with <code>workflow_id</code> “
                  {workflow}”.
                </p>
              )
            ) : (
              <Skeleton className="h-56" />
            )}
          </Card>
          <Card
            title="Outcomes of calls"
            subtitle="Calls and spend per outcome in the period: retries and errors are waste; fallbacks and escalations are the recovery."
          >
            {split ? <OutcomeTable rows={split} /> : <Skeleton className="h-40" />}
          </Card>
        </div>

        <LatencyRoutingCard
          workflow={workflow}
          period={periods.current}
          granularity={granularity}
          latency={latencyByBucket.data?.rows}
          outcomes={outcomesByBucket.data?.rows}
        />

        <TrafficSplit org={org} base={base} subject={workflow} />

        <CostLayers org={org} params={{ ...base, ...periods.current }} scope={`Workflow ${workflow}`} />

        <Card
          title="Steps"
          subtitle="Per step: how often a run calls it, tokens per call, spend and its part of the cost per run, retry tax, cache hits, latency and models used. A step opens its decision record."
          actions={
            canExport ? (
              <Button variant="secondary" onClick={exportCsv} disabled={!stepTable}>
                Export CSV
              </Button>
            ) : undefined
          }
        >
          {stepTable ? (
            <StepTable
              rows={stepTable}
              href={(step) => `/${org}/workflows/${encodeURIComponent(workflow)}/steps/${encodeURIComponent(step)}?${filtersQuery(filters)}`}
              callsHref={(step) => callsHref(org, { ...scopeOf(filters), workflow_id: workflow, step })}
            />
          ) : (
            <Skeleton className="h-48" />
          )}
        </Card>

        <PromptVersionsCard
          org={org}
          query={{
            workflow_id: workflow,
            from: periods.current.from,
            to: periods.current.to,
            ...(filters.environment ? { environment: filters.environment } : {}),
            ...(filters.traffic_source ? { traffic_source: filters.traffic_source } : {}),
          }}
        />

        <Card title="Models" subtitle="Per provider/model in this workflow: calls, spend, cost per call, tokens per call, cache hits and savings, latency.">
          {modelTable ? (
            <ModelTable
              rows={modelTable}
              callsHref={(name) => {
                const m = modelFilters(name)
                return m ? callsHref(org, { ...scopeOf(filters), workflow_id: workflow, ...m }) : null
              }}
            />
          ) : (
            <Skeleton className="h-40" />
          )}
        </Card>
      </>
    </DetailPage>
  )
}

const th = 'px-2 py-2 font-medium text-right'
const td = 'num whitespace-nowrap px-2 text-right'

function StepTable({ rows, href, callsHref }: { rows: TStepRow[]; href: (step: string) => string; callsHref: (step: string) => string }) {
  const sorter = useSort(rows, {
    step: (r) => r.step,
    calls: (r) => r.calls,
    calls_per_run: (r) => r.calls_per_run,
    tokens: (r) => r.tokens_in_per_call,
    cost: (r) => moneyKey(r.cost_usd),
    share: (r) => r.share,
    cost_per_run: (r) => moneyKey(r.cost_per_run_usd),
    retry: (r) => r.retry_share,
    cache: (r) => r.cache_hit_rate,
    p95: (r) => r.latency_p95_ms,
  })
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="steps-table">
        <caption className="sr-only">Steps of the workflow, largest spend first</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="step" className="py-2 pr-2 text-left font-medium">
              Step
            </SortTh>
            <SortTh sorter={sorter} k="calls" term="calls" className={th}>
              Calls
            </SortTh>
            <SortTh sorter={sorter} k="calls_per_run" term="calls_per_run" className={th}>
              Calls / run
            </SortTh>
            <SortTh sorter={sorter} k="tokens" term="tokens_per_call" className={th} title="Sorts by input tokens per call">
              Tokens in / out per call
            </SortTh>
            <SortTh sorter={sorter} k="cost" term="spend" className={th}>
              Spend
            </SortTh>
            <SortTh sorter={sorter} k="share" term="share" className={th}>
              Share
            </SortTh>
            <SortTh sorter={sorter} k="cost_per_run" term="cost_per_run" className={th} title="The step’s spend ÷ the workflow’s runs">
              Cost / run
            </SortTh>
            <SortTh sorter={sorter} k="retry" term="retry_tax_share" className={th}>
              Retry tax %
            </SortTh>
            <SortTh sorter={sorter} k="cache" term="cache_hit_rate" className={th}>
              Cache hits
            </SortTh>
            <SortTh sorter={sorter} k="p95" term="latency_p95" className={th} title="Sorts by p95">
              p50 / p95
            </SortTh>
            <th scope="col" className="py-2 pl-2 text-left font-medium">
              Models
            </th>
            <th scope="col" className="py-2 pl-2 text-left font-medium">
              <span className="sr-only">Calls</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr key={r.step} className="border-t border-slate-100">
              <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                <Link href={href(r.step)} className="text-brand-700 hover:underline" title={`Decision record of ${r.step}`}>
                  {r.step}
                </Link>
              </th>
              <td className={td} data-calls={r.calls}>
                {formatCount(r.calls)}
              </td>
              <td className={td}>{r.calls_per_run === null ? '—' : r.calls_per_run.toFixed(2)}</td>
              <td className={td}>
                {r.tokens_in_per_call === null ? '—' : `${formatCompact(r.tokens_in_per_call)} / ${formatCompact(r.tokens_out_per_call ?? 0)}`}
              </td>
              <td className={td} data-cost={r.cost_usd}>
                {formatUsd(r.cost_usd)}
              </td>
              <td className={`${td} text-slate-600`}>{formatPercent(r.share)}</td>
              <td className={td}>{r.cost_per_run_usd ? formatUsd(r.cost_per_run_usd, { precise: true }) : '—'}</td>
              <td className={`${td} ${r.retry_share >= 0.1 ? 'text-amber-700' : 'text-slate-600'}`}>
                {r.retry_usd === '0.000000' ? '—' : formatPercent(r.retry_share)}
              </td>
              <td className={`${td} text-slate-600`}>{r.cache_hit_rate === null ? '—' : formatPercent(r.cache_hit_rate)}</td>
              <td className={`${td} text-slate-600`} data-p50={r.latency_p50_ms ?? ''} data-p95={r.latency_p95_ms ?? ''}>
                {formatMs(r.latency_p50_ms)} / {formatMs(r.latency_p95_ms)}
              </td>
              <td className="py-1.5 pl-2 text-xs text-slate-600">
                <div className="max-w-64 truncate" title={r.models.join(', ')}>
                  {r.models.join(', ') || '—'}
                </div>
              </td>
              <td className="py-1.5 pl-2">
                <CallsLink href={callsHref(r.step)} title={`The calls of step ${r.step}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function ModelTable({ rows, callsHref }: { rows: TModelRow[]; callsHref: (name: string) => string | null }) {
  const sorter = useSort(rows, {
    model: (r) => r.model,
    calls: (r) => r.calls,
    cost: (r) => moneyKey(r.cost_usd),
    share: (r) => r.share,
    cost_per_call: (r) => moneyKey(r.cost_per_call_usd),
    tokens: (r) => r.tokens_in_per_call,
    cache: (r) => r.cache_hit_rate,
    savings: (r) => moneyKey(r.cache_savings_usd),
    p95: (r) => r.latency_p95_ms,
  })
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="models-table">
        <caption className="sr-only">Models used by the workflow, largest spend first</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="model" className="py-2 pr-2 text-left font-medium">
              Provider / model
            </SortTh>
            <SortTh sorter={sorter} k="calls" term="calls" className={th}>
              Calls
            </SortTh>
            <SortTh sorter={sorter} k="cost" term="spend" className={th}>
              Spend
            </SortTh>
            <SortTh sorter={sorter} k="share" term="share" className={th}>
              Share
            </SortTh>
            <SortTh sorter={sorter} k="cost_per_call" term="cost_per_call" className={th}>
              Cost / call
            </SortTh>
            <SortTh sorter={sorter} k="tokens" term="tokens_per_call" className={th} title="Sorts by input tokens per call">
              Tokens in / out per call
            </SortTh>
            <SortTh sorter={sorter} k="cache" term="cache_hit_rate" className={th}>
              Cache hits
            </SortTh>
            <SortTh sorter={sorter} k="savings" className={th}>
              Cache savings
            </SortTh>
            <SortTh sorter={sorter} k="p95" term="latency_p95" className={th} title="Sorts by p95">
              p50 / p95
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr key={r.model} className="border-t border-slate-100">
              <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                {callsHref(r.model) ? (
                  <Link href={callsHref(r.model)!} className="text-brand-700 hover:underline" title={`The calls of ${r.model} in this workflow`}>
                    {r.model}
                  </Link>
                ) : (
                  r.model
                )}
              </th>
              <td className={td}>{formatCount(r.calls)}</td>
              <td className={td} data-cost={r.cost_usd}>
                {formatUsd(r.cost_usd)}
              </td>
              <td className={`${td} text-slate-600`}>{formatPercent(r.share)}</td>
              <td className={td}>{r.cost_per_call_usd ? formatUsd(r.cost_per_call_usd, { precise: true }) : '—'}</td>
              <td className={td}>
                {r.tokens_in_per_call === null ? '—' : `${formatCompact(r.tokens_in_per_call)} / ${formatCompact(r.tokens_out_per_call ?? 0)}`}
              </td>
              <td className={`${td} text-slate-600`}>{r.cache_hit_rate === null ? '—' : formatPercent(r.cache_hit_rate)}</td>
              <td className={`${td} text-slate-600`}>{r.cache_savings_usd === '0.000000' ? '—' : formatUsd(r.cache_savings_usd)}</td>
              <td className={`${td} text-slate-600`}>
                {formatMs(r.latency_p50_ms)} / {formatMs(r.latency_p95_ms)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const OUTCOME_TONE: Record<string, string> = { retry: 'text-amber-700', error: 'text-red-700' }

function OutcomeTable({ rows }: { rows: ReturnType<typeof outcomeSplit> }) {
  const sorter = useSort(rows, {
    outcome: (r) => r.outcome,
    calls: (r) => r.calls,
    cost: (r) => moneyKey(r.cost_usd),
    share: (r) => r.share,
  })
  return (
    <table className="w-full text-sm" data-testid="outcomes-table">
      <caption className="sr-only">Calls and spend per outcome</caption>
      <thead className="text-xs uppercase text-slate-500">
        <tr className="border-b border-slate-200">
          <SortTh sorter={sorter} k="outcome" className="py-2 pr-2 text-left font-medium">
            Outcome
          </SortTh>
          <SortTh sorter={sorter} k="calls" term="calls" className={th}>
            Calls
          </SortTh>
          <SortTh sorter={sorter} k="cost" term="spend" className={th}>
            Spend
          </SortTh>
          <SortTh sorter={sorter} k="share" className={th}>
            Share of spend
          </SortTh>
        </tr>
      </thead>
      <tbody>
        {sorter.rows.map((r) => (
          <tr key={r.outcome} className="border-t border-slate-100">
            <th scope="row" className={`py-1.5 pr-2 text-left font-medium ${OUTCOME_TONE[r.outcome] ?? ''}`}>
              {r.outcome}
            </th>
            <td className={td}>{formatCount(r.calls)}</td>
            <td className={td} data-cost={r.cost_usd}>
              {formatUsd(r.cost_usd)}
            </td>
            <td className={`${td} text-slate-600`}>{formatPercent(r.share)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
