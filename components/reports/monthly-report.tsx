import Link from 'next/link'
import { Alert, Button, Input } from '@/components/ui'
import { PrintButton } from '@/components/reports/print-button'
import { DAY_LABEL, MONTH_LABEL, ReportKpi, ReportSection, SHOWN, signed } from '@/components/reports/report-parts'
import { monthlyReport, REPORT_SECTIONS, ZMonthlyReportQuery } from '@/lib/reports/monthly'
import { trustLabel } from '@/lib/forecast/view'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { asOrg } from '@/lib/db'
import { PRODUCTION_DEFINITION } from '@/lib/domain'
import { BILL_ROWS, BillPartRow } from '@/components/finance/bill-parts'
import type { TMonthlyReport } from '@/lib/reports/schema'
import { LinesTable, ScenariosTable } from '@/components/reports/report-tables'

// The month's bill the way finance hands it on: one page per month, printable,
// every figure the metrics API's for the month, the month before beside it.

const quarterOf = (month: string) => `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`

export async function MonthlyReport({
  org,
  orgId,
  orgName,
  month,
  canExport,
}: {
  org: string
  orgId: string
  orgName: string
  month?: string
  canExport: boolean
}) {
  const q = ZMonthlyReportQuery.safeParse({ month: month || undefined })
  // for this organization only (row-level security: lib/db.ts); the page checked the member's access
  const r = await asOrg(orgId, () => monthlyReport(orgId, q.success ? q.data : {}))
  const monthName = MONTH_LABEL.format(new Date(r.from))
  const prevName = MONTH_LABEL.format(new Date(r.previous.from))
  const last = new Date(Date.parse(r.to) - 1)
  const csv = `/api/v1/reports/monthly?org=${encodeURIComponent(org)}&month=${r.month}&format=csv`
  const f = r.forecast
  // a running month is compared with the same elapsed span of the month before
  const prevLabel = r.current
    ? `${prevName}, ${DAY_LABEL.format(new Date(r.previous.from))} – ${DAY_LABEL.format(new Date(Math.max(Date.parse(r.previous.from), Date.parse(r.previous.compared_to) - 1)))}`
    : prevName
  return (
    <div className="report space-y-6 print:space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm text-slate-500">{orgName}</p>
          <h1 className="text-2xl font-semibold">Monthly report: {monthName}</h1>
          <p className="text-sm text-slate-600">
            {DAY_LABEL.format(new Date(r.from))} – {DAY_LABEL.format(last)} (UTC){r.current ? ', month to date' : ''}. All environments and traffic sources (the
            calls); <abbr title={PRODUCTION_DEFINITION}>production</abbr> is the part from production traffic in the production environment. Compared with{' '}
            {r.current ? `the same days and hours of ${prevName}` : prevName}.
          </p>
        </div>
        <div className="flex flex-wrap items-end gap-2 print:hidden">
          <form method="get" className="flex items-end gap-2" aria-label="Choose the month">
            <div>
              <label htmlFor="report-month" className="block text-xs font-medium text-slate-600">
                Month
              </label>
              <Input id="report-month" type="month" name="month" defaultValue={r.month} className="w-40 py-1.5" />
            </div>
            <Button type="submit" variant="secondary">
              Show
            </Button>
          </form>
          <PrintButton />
          {canExport && (
            <a
              href={csv}
              download
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
            >
              Export CSV
            </a>
          )}
          <Link href={`/${org}/reports/audit?quarter=${quarterOf(r.month)}`} className="px-2 py-2 text-sm text-brand-600 hover:underline">
            Quarterly audit
          </Link>
        </div>
      </div>
      {!q.success && (
        <Alert tone="warning">
          month: must be a month, YYYY-MM (got “{month}”); showing {monthName}.
        </Alert>
      )}

      <div className="grid grid-cols-2 gap-4 lg:grid-cols-5 print:grid-cols-5 print:gap-2">
        <ReportKpi
          label={r.current ? `${monthName}, to date` : monthName}
          value={formatUsd(r.total.cost_usd)}
          testId="report-total"
          hint={`${formatCount(r.total.events)} calls, ${formatCount(r.total.runs)} runs`}
        />
        <ReportKpi
          label="Production"
          value={formatUsd(r.total.production_cost_usd)}
          testId="report-production"
          hint={<span title={PRODUCTION_DEFINITION}>production traffic in the production environment (both)</span>}
        />
        <ReportKpi
          label={r.current ? `${prevName}, same days` : prevName}
          value={formatUsd(r.total.previous_cost_usd)}
          testId="report-previous"
          hint={`${formatCount(r.total.previous_events)} calls`}
        />
        {r.total.previous_to_date ? (
          <ReportKpi
            label={`Change vs ${prevName} to date`}
            value={signed(r.total.previous_to_date.change_usd)}
            testId="report-change"
            hint={`${DAY_LABEL.format(new Date(r.previous.from))} – ${DAY_LABEL.format(new Date(Math.max(Date.parse(r.previous.from), Date.parse(r.total.previous_to_date.to) - 1)))}: ${formatUsd(r.total.previous_to_date.cost_usd)} (as many days and hours as have passed)`}
          />
        ) : (
          <ReportKpi
            label="Change"
            value={signed(r.total.change_usd)}
            testId="report-change"
            hint={
              Number(r.total.previous_cost_usd) > 0
                ? `${formatPercent(Number(r.total.change_usd) / Number(r.total.previous_cost_usd))} vs ${prevName}`
                : `nothing in ${prevName}`
            }
          />
        )}
        {f ? (
          <ReportKpi
            label={`${monthName}, forecast`}
            value={f.month_end.forecast_usd === null ? '—' : formatUsd(f.month_end.forecast_usd)}
            testId="report-forecast"
            hint={
              f.month_end.forecast_usd === null ? (
                (f.note ?? undefined)
              ) : (
                <>
                  95% band {formatUsd(f.month_end.lower_usd!)} – {formatUsd(f.month_end.upper_usd!)}; {trustLabel(f.mape)}.{' '}
                  <Link className="text-brand-600 hover:underline print:hidden" href={`/${org}/forecast`}>
                    Forecast
                  </Link>
                </>
              )
            }
          />
        ) : (
          <ReportKpi
            label="Unpriced calls"
            value={formatCount(r.total.unpriced_events)}
            hint={r.total.unpriced_events ? 'counted at $0 until their model has a price' : 'every call priced'}
            warn={r.total.unpriced_events > 0}
          />
        )}
      </div>
      {r.total.events === 0 && r.total.previous_events === 0 && (
        <Alert tone="info">
          No spend recorded in {monthName} or {prevName}. Send events to <code>POST /api/v1/events</code>, or pick another month.
        </Alert>
      )}

      <BillSection r={r} prevLabel={prevLabel} monthName={monthName} org={org} />
      <ScenariosSection r={r} org={org} />

      {r.sections.map((s) => {
        const meta = REPORT_SECTIONS.find((x) => x.dimension === s.dimension)!
        return (
          <ReportSection
            key={s.dimension}
            title={`Spend by ${meta.label.toLowerCase()}`}
            long={s.rows.length > 12}
            testId={`report-${s.dimension}`}
            note={
              s.dimension === 'scenario'
                ? 'A scenario is the scenario_id its calls carry; a workflow’s calls without one are that workflow’s own scenario.'
                : r.current
                  ? `Calls only (API cost). ${prevName} is its same days and hours as this month so far.`
                  : 'Calls only (API cost).'
            }
          >
            {s.rows.length ? (
              <LinesTable label={meta.label} none={meta.none} rows={s.rows} prevName={r.current ? `${prevName}, same days` : prevName} />
            ) : (
              <p className="text-sm text-slate-600">No spend in either month.</p>
            )}
          </ReportSection>
        )
      })}
      <p className="text-xs text-slate-500">
        Generated {new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Amounts in USD from the rollups (exact to the micro-dollar; the same as GET
        /api/v1/metrics for the month);
        {f ? ' the forecast is a model estimate.' : ''} The CSV export holds every row.
      </p>
    </div>
  )
}

/** The whole bill, part by part: what the organization pays (its total is Scenario cost's total for the month). */
function BillSection({ r, prevLabel, monthName, org }: { r: TMonthlyReport; prevLabel: string; monthName: string; org: string }) {
  const fb = r.forecast?.bill?.month_end.forecast ?? null
  return (
    <ReportSection
      title="The whole bill"
      testId="report-bill"
      note={
        <>
          What the organization pays: API inference, the GPU pools’ paid capacity (idle GPUs included, as on the{' '}
          <Link className="text-brand-600 hover:underline print:hidden" href={`/${org}/fleet`}>
            fleet page
          </Link>
          ) and finance’s line items. The total equals{' '}
          <Link className="text-brand-600 hover:underline print:hidden" href={`/${org}/fleet/scenarios?month=${r.month}`}>
            Scenario cost
          </Link>
          ’s total for {monthName}. The sections below count calls only.
        </>
      }
    >
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs text-slate-500">
            <th className="py-1 font-medium">Part</th>
            <th className="text-right font-medium">{r.current ? `${monthName}, to date` : monthName}</th>
            <th className="text-right font-medium">{prevLabel}</th>
            <th className="text-right font-medium">Change</th>
            {fb && <th className="text-right font-medium">Month end, forecast</th>}
          </tr>
        </thead>
        <tbody>
          {BILL_ROWS.map((k) => (
            <BillPartRow key={k} part={k}>
              <td className="num text-right" data-cost={r.bill[k]}>
                {formatUsd(r.bill[k])}
              </td>
              <td className="num text-right text-slate-600" data-previous={r.bill.previous[k]}>
                {formatUsd(r.bill.previous[k])}
              </td>
              <td className="num text-right">{signed(fromScaled(toScaled(r.bill[k], 6) - toScaled(r.bill.previous[k], 6), 6))}</td>
              {fb && (
                <td className="num text-right" data-forecast={fb[k]}>
                  {formatUsd(fb[k])}
                </td>
              )}
            </BillPartRow>
          ))}
        </tbody>
      </table>
    </ReportSection>
  )
}

/** Each scenario's month both ways, named apart: its calls alone, and fully loaded as on Scenario cost. */
function ScenariosSection({ r, org }: { r: TMonthlyReport; org: string }) {
  if (!r.scenarios.length) return null
  const shown = r.scenarios.slice(0, SHOWN)
  return (
    <ReportSection
      title="Scenarios: API cost and fully loaded cost"
      testId="report-scenarios"
      long={shown.length > 12}
      note={
        <>
          API cost: what the scenario’s calls were priced at. Fully loaded cost incl. GPU and line items: the API cost, its share of the GPU pools’ capacity and
          its line items, as on{' '}
          <Link className="text-brand-600 hover:underline print:hidden" href={`/${org}/fleet/scenarios?month=${r.month}`}>
            Scenario cost
          </Link>
          . Per accepted outcome, both divide by the same outcomes.
        </>
      }
    >
      <ScenariosTable rows={shown} />
      {r.scenarios.length > SHOWN && <p className="mt-1 text-xs text-slate-500">{formatCount(r.scenarios.length - SHOWN)} more in the CSV.</p>}
    </ReportSection>
  )
}
