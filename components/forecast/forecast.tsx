'use client'
import { ZoneNote } from '@/components/layout/time-zone'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import Link from 'next/link'
import { useSearchParams } from 'next/navigation'
import { Alert, Button, Card, Kpi, Skeleton } from '@/components/ui'
import { ForecastChart } from '@/components/charts/forecast-chart'
import { useBudgetOutlook, useForecast, useForecastSummary } from '@/components/forecast/queries'
import { WhatIfForm, WhatIfResult, whatIfFromParams } from '@/components/forecast/what-if'
import { downloadCsv } from '@/components/metrics/breakdown'
import type { TBudgetOutlook, TForecastSummaryRow, TPeriodForecast } from '@/lib/forecast'
import type { TBillForecast } from '@/lib/forecast/schema'
import { BILL_ROWS, BillPartRow } from '@/components/finance/bill-parts'
import { forecastChartPoints, MONTH_TO_DATE_HINT, MONTH_TO_DATE_LABEL, trustLabel } from '@/lib/forecast/view'
import { formatDate, formatMonth, formatPercent, formatUsd } from '@/lib/format'
import { toCsv } from '@/lib/csv'
import { useCan } from '@/components/layout/role-context'

// The question finance brings: "where will spend land at the end of the month
// and of the quarter, how far can we trust that, and which workflows and
// customers carry it?"

const MONTH = { format: (d: Date) => formatMonth(d) }
const band = (p: TPeriodForecast) => (p.lower_usd === null ? '' : `95% band ${formatUsd(p.lower_usd)} – ${formatUsd(p.upper_usd!)}`)
const quarterOf = (end: string) => {
  const d = new Date(Date.parse(end) - 1)
  return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${d.getUTCFullYear()}`
}

export function Forecast({ org }: { org: string }) {
  const params = useSearchParams()
  const scope = { workflow_id: params?.get('workflow_id') ?? undefined, account_id: params?.get('account_id') ?? undefined }
  const f = useForecast(org, scope)
  const whatIf = whatIfFromParams(params)
  const w = useForecast(org, scope, whatIf)
  const scenario = Object.keys(whatIf).length ? (w.data?.what_if ?? null) : null
  const summary = useForecastSummary(org)
  const canExport = useCan('exports.read')
  const d = f.data
  const scopeLabel = scope.workflow_id ? `workflow ${scope.workflow_id}` : scope.account_id ? `account ${scope.account_id}` : 'the whole organization'
  return (
    <div className="space-y-6">
      <div>
        {(scope.workflow_id || scope.account_id) && (
          <nav aria-label="Breadcrumb" className="mb-1 text-sm">
            <Link href={`/${org}/forecast`} className="text-brand-600 hover:underline">
              Forecast
            </Link>{' '}
            / {scopeLabel}
          </nav>
        )}
        <h1 className="text-2xl font-semibold">Forecast{scope.workflow_id || scope.account_id ? `: ${scopeLabel}` : ''}</h1>
        <p className="text-sm text-slate-600">
          Spend of {scopeLabel} to the end of the month and of the quarter (the calls of all environments and traffic sources), from its daily spend with a
          weekly pattern and trend.{d?.bill ? ' The whole bill below adds the GPU fleet’s run-rate and the known line items.' : ''} <ZoneNote />
        </p>
      </div>
      {f.error && <Alert>Could not load the forecast: {f.error.message}</Alert>}
      {d?.note && (
        <Alert tone="info">
          {d.note} Send events to <code>POST /api/v1/events</code>; the forecast appears once there is enough history.
        </Alert>
      )}

      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label={d ? `${MONTH.format(new Date(Date.parse(d.month_end.end) - 1))}, forecast` : 'Month end, forecast'}
          testId="kpi-month"
          value={d ? (d.month_end.forecast_usd === null ? '—' : formatUsd(d.month_end.forecast_usd)) : null}
          hint={d ? band(d.month_end) : undefined}
        />
        <Kpi
          label={d ? `${quarterOf(d.quarter_end.end)}, forecast` : 'Quarter end, forecast'}
          testId="kpi-quarter"
          value={d ? (d.quarter_end.forecast_usd === null ? '—' : formatUsd(d.quarter_end.forecast_usd)) : null}
          hint={d ? band(d.quarter_end) : undefined}
        />
        <Kpi label={MONTH_TO_DATE_LABEL} testId="kpi-month-actual" value={d ? formatUsd(d.month_end.actual_to_date_usd) : null} hint={MONTH_TO_DATE_HINT} />
        <Kpi
          label="Backtest error (MAPE)"
          testId="kpi-mape"
          value={d ? (d.backtest.mape === null ? '—' : formatPercent(d.backtest.mape)) : null}
          hint={d ? trustLabel(d.backtest.mape) : undefined}
          warn={d?.backtest.mape != null && d.backtest.mape > 0.25}
        />
      </section>

      {d?.bill && <WholeBillCard bill={d.bill} org={org} />}

      <Card title="Spend per day and forecast" subtitle="The last 8 weeks recorded, then the forecast to the end of the quarter with its 95% band.">
        {d ? (
          <ForecastChart
            data={forecastChartPoints(d, 56, scenario)}
            label={`Daily spend of ${scopeLabel} and its forecast to the end of the quarter${scenario ? ', with the what-if scenario' : ''}`}
          />
        ) : (
          <Skeleton className="h-72" />
        )}
        {d?.model && (
          <p className="mt-2 text-xs text-slate-500">
            Additive Holt-Winters, weekly season, fitted on {d.model.history_days} days (α {d.model.alpha}, β {d.model.beta}, γ {d.model.gamma}). Backtest:
            fitted without the last {d.backtest.holdout_days} days, then compared with them.
          </p>
        )}
      </Card>

      <Card
        title="What-if"
        subtitle="Traffic growth per month, and a workflow step moved to another model (its production calls of the last 30 days priced by the cost engine on the target model's price). The chart draws the scenario beside the baseline."
      >
        <WhatIfForm key={JSON.stringify(whatIf)} org={org} scope={scope} current={whatIf} error={Object.keys(whatIf).length ? w.error : null} />
        {Object.keys(whatIf).length > 0 &&
          !w.error &&
          (w.data ? (
            <div className="mt-4">
              <WhatIfResult f={w.data} />
            </div>
          ) : (
            <Skeleton className="mt-4 h-24" />
          ))}
      </Card>

      {!scope.workflow_id && !scope.account_id && <BudgetsCard org={org} />}

      <Card
        title="By workflow and top accounts"
        subtitle="Each forecast on its own series; the rows need not add up to the organization's (each has its own fit)."
        actions={
          canExport && summary.data && summary.data.rows.length > 0 ? (
            <Button variant="secondary" onClick={() => downloadCsv('forecast.csv', summaryCsv(summary.data!.rows))}>
              Export CSV
            </Button>
          ) : undefined
        }
      >
        {summary.error && <Alert>Could not load: {summary.error.message}</Alert>}
        {summary.data ? (
          summary.data.rows.length ? (
            <SummaryTable org={org} rows={summary.data.rows} />
          ) : (
            <p className="text-sm text-slate-600">No spend recorded yet.</p>
          )
        ) : (
          <Skeleton className="h-40" />
        )}
      </Card>
    </div>
  )
}

function SummaryTable({ org, rows }: { org: string; rows: TForecastSummaryRow[] }) {
  const sorter = useSort(rows, {
    id: (r) => `${r.kind}/${r.id}`,
    so_far: (r) => moneyKey(r.month_end.actual_to_date_usd),
    month_end: (r) => moneyKey(r.month_end.forecast_usd),
    band: (r) => moneyKey(r.month_end.upper_usd),
    quarter_end: (r) => moneyKey(r.quarter_end.forecast_usd),
    mape: (r) => r.mape,
  })
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="forecast-summary">
        <thead>
          <tr className="text-left text-xs text-slate-500">
            <SortTh sorter={sorter} k="id" className="py-1 font-medium">
              Workflow / account
            </SortTh>
            <SortTh sorter={sorter} k="so_far" className="text-right font-medium" title={MONTH_TO_DATE_HINT}>
              {MONTH_TO_DATE_LABEL}
            </SortTh>
            <SortTh sorter={sorter} k="month_end" className="text-right font-medium">
              Month end
            </SortTh>
            <SortTh sorter={sorter} k="band" className="text-right font-medium">
              95% band
            </SortTh>
            <SortTh sorter={sorter} k="quarter_end" className="text-right font-medium">
              Quarter end
            </SortTh>
            <SortTh sorter={sorter} k="mape" className="text-right font-medium">
              Backtest error
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr key={`${r.kind}/${r.id}`} className="border-t border-slate-100" data-row={`${r.kind}/${r.id}`}>
              <td className="py-1.5">
                <span className="mr-2 text-xs text-slate-500">{r.kind}</span>
                <Link
                  className="text-brand-600 hover:underline"
                  href={`/${org}/forecast?${r.kind === 'workflow' ? 'workflow_id' : 'account_id'}=${encodeURIComponent(r.id)}`}
                >
                  {r.id}
                </Link>
              </td>
              <td className="num text-right">{formatUsd(r.month_end.actual_to_date_usd)}</td>
              <td className="num text-right font-medium" data-month-end>
                {r.month_end.forecast_usd === null ? '—' : formatUsd(r.month_end.forecast_usd)}
              </td>
              <td className="num text-right text-slate-600">
                {r.month_end.lower_usd === null
                  ? r.note
                    ? 'too little history'
                    : '—'
                  : `${formatUsd(r.month_end.lower_usd)} – ${formatUsd(r.month_end.upper_usd!)}`}
              </td>
              <td className="num text-right">{r.quarter_end.forecast_usd === null ? '—' : formatUsd(r.quarter_end.forecast_usd)}</td>
              <td className="num text-right">{r.mape === null ? '—' : formatPercent(r.mape)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function summaryCsv(rows: TForecastSummaryRow[]): string {
  return toCsv([
    [
      'kind',
      'id',
      'month_to_date_usd',
      'month_end_forecast_usd',
      'month_end_lower_usd',
      'month_end_upper_usd',
      'quarter_to_date_usd',
      'quarter_end_forecast_usd',
      'quarter_end_lower_usd',
      'quarter_end_upper_usd',
      'backtest_mape',
    ],
    ...rows.map((r) => [
      r.kind,
      r.id,
      r.month_end.actual_to_date_usd,
      r.month_end.forecast_usd,
      r.month_end.lower_usd,
      r.month_end.upper_usd,
      r.quarter_end.actual_to_date_usd,
      r.quarter_end.forecast_usd,
      r.quarter_end.lower_usd,
      r.quarter_end.upper_usd,
      r.mape === null ? null : r.mape.toFixed(4),
    ]),
  ])
}

const DAY = { format: (d: Date) => formatDate(d, 'UTC') }
const VERDICT: Record<TBudgetOutlook['verdict'], { label: string; style: string }> = {
  over: { label: 'will be exceeded', style: 'bg-red-50 text-red-800 ring-red-200' },
  at_risk: { label: 'at risk', style: 'bg-amber-50 text-amber-900 ring-amber-200' },
  within: { label: 'will hold', style: 'bg-emerald-50 text-emerald-800 ring-emerald-200' },
  unknown: { label: 'too little history', style: 'bg-slate-50 text-slate-600 ring-slate-200' },
}

/** The outlook's sort: the most severe first (too little history: last). */
const VERDICT_SEVERITY: Record<TBudgetOutlook['verdict'], number | null> = { over: 3, at_risk: 2, within: 1, unknown: null }

/** Which monthly spend budgets the forecast says will be exceeded, and when. */
function BudgetsCard({ org }: { org: string }) {
  const q = useBudgetOutlook(org)
  const rows = q.data?.budgets ?? null
  const sorter = useSort(rows, {
    name: (b) => b.name,
    amount: (b) => moneyKey(b.amount_usd),
    projected: (b) => moneyKey(b.projected_usd),
    forecast: (b) => moneyKey(b.month_end.forecast_usd),
    verdict: (b) => VERDICT_SEVERITY[b.verdict],
  })
  return (
    <Card
      title="This month's budgets against the forecast"
      subtitle="Monthly spend budgets: the projection is the Budgets page's (the month's spend to now at its pace); beside it the forecast model of the budget's scope. At risk: only the model band's upper edge passes the amount."
    >
      {q.error && <Alert>Could not load: {q.error.message}</Alert>}
      {rows ? (
        rows.length ? (
          <table className="w-full text-sm" data-testid="budget-outlook">
            <thead>
              <tr className="text-left text-xs text-slate-500">
                <SortTh sorter={sorter} k="name" className="py-1 font-medium">
                  Budget
                </SortTh>
                <SortTh sorter={sorter} k="amount" className="text-right font-medium">
                  Amount
                </SortTh>
                <SortTh
                  sorter={sorter}
                  k="projected"
                  className="text-right font-medium"
                  title="Its month's spend to now at its pace to the month's end: the same projection as the Budgets page"
                >
                  Projected month end
                </SortTh>
                <SortTh sorter={sorter} k="forecast" className="text-right font-medium">
                  Model forecast (95% band)
                </SortTh>
                <SortTh sorter={sorter} k="verdict" className="font-medium pl-4">
                  Outlook
                </SortTh>
              </tr>
            </thead>
            <tbody>
              {sorter.rows.map((b) => (
                <tr key={b.budget_id} className="border-t border-slate-100" data-budget={b.name} data-verdict={b.verdict}>
                  <td className="py-1.5">
                    <Link className="text-brand-600 hover:underline" href={`/${org}/budgets/${b.budget_id}`}>
                      {b.name}
                    </Link>
                  </td>
                  <td className="num text-right">{formatUsd(b.amount_usd)}</td>
                  <td className={`num text-right ${b.projected_over ? 'text-red-700' : ''}`} data-projected={b.projected_usd ?? ''}>
                    {b.projected_usd === null ? '—' : formatUsd(b.projected_usd)}
                  </td>
                  <td className="num text-right text-slate-600">
                    {b.month_end.forecast_usd === null
                      ? '—'
                      : `${formatUsd(b.month_end.forecast_usd)} (${formatUsd(b.month_end.lower_usd!)} – ${formatUsd(b.month_end.upper_usd!)})`}
                  </td>
                  <td className="pl-4">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${VERDICT[b.verdict].style}`}>{VERDICT[b.verdict].label}</span>
                    {b.exceeds_on && (
                      <span className="ml-2 text-xs text-slate-600">
                        {Date.parse(b.exceeds_on) <= Date.now() ? 'already over' : `on ${DAY.format(new Date(b.exceeds_on))}`}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="text-sm text-slate-600">
            No monthly spend budget yet.{' '}
            <Link className="text-brand-600 hover:underline" href={`/${org}/budgets`}>
              Create one
            </Link>{' '}
            to see here whether the month will hold it.
          </p>
        )
      ) : (
        <Skeleton className="h-24" />
      )}
    </Card>
  )
}

/** The organization's whole bill to the month's and the quarter's end: API inference forecast, GPU capacity and line items known. */
function WholeBillCard({ bill, org }: { bill: TBillForecast; org: string }) {
  const m = bill.month_end
  const q = bill.quarter_end
  const cell = (v: string | null | undefined) => (v == null ? '—' : formatUsd(v))
  return (
    <Card
      title="The whole bill"
      subtitle="What the organization pays, part by part: API inference is forecast from the calls (less the GPU time paid through the pools); GPU capacity is known from the pools' sizes and prices; line items are finance's."
    >
      <table className="w-full text-sm" data-testid="forecast-bill">
        <thead>
          <tr className="text-left text-xs text-slate-500">
            <th className="py-1 font-medium">Part</th>
            <th className="text-right font-medium" title={MONTH_TO_DATE_HINT}>
              {MONTH_TO_DATE_LABEL}
            </th>
            <th className="text-right font-medium">{MONTH.format(new Date(Date.parse(m.end) - 1))}, forecast</th>
            <th className="text-right font-medium">{quarterOf(q.end)}, forecast</th>
          </tr>
        </thead>
        <tbody>
          {BILL_ROWS.map((k) => (
            <BillPartRow key={k} part={k}>
              <td className="num text-right" data-actual={m.actual_to_date[k]}>
                {cell(m.actual_to_date[k])}
              </td>
              <td className="num text-right" data-month={m.forecast?.[k] ?? ''}>
                {cell(m.forecast?.[k])}
              </td>
              <td className="num text-right" data-quarter={q.forecast?.[k] ?? ''}>
                {cell(q.forecast?.[k])}
              </td>
            </BillPartRow>
          ))}
        </tbody>
      </table>
      {m.lower_total_usd !== null && (
        <p className="mt-2 text-xs text-slate-500">
          Month end 95% band {formatUsd(m.lower_total_usd)} – {formatUsd(m.upper_total_usd!)} (the band is API inference’s: the rest is known).
        </p>
      )}
      <p className="mt-1 text-xs text-slate-500">
        GPU capacity at the pools’ current sizes runs {formatUsd(bill.run_rate.gpu_capacity_per_month_usd)} a month (
        <Link className="text-brand-600 hover:underline" href={`/${org}/fleet`}>
          fleet
        </Link>
        ); line items are entered on{' '}
        <Link className="text-brand-600 hover:underline" href={`/${org}/fleet/scenarios`}>
          Scenario cost
        </Link>
        .
      </p>
    </Card>
  )
}
