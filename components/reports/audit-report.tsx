import Link from 'next/link'
import { Alert, Button, Input } from '@/components/ui'
import { PrintButton } from '@/components/reports/print-button'
import { AUDIT_STATUS, DAY_LABEL, perCall, ReportKpi, ReportSection } from '@/components/reports/report-parts'
import { AuditTable, SamplesTable, StepsTable } from '@/components/reports/audit-tables'
import { quarterlyAudit, quarterRange, ZAuditQuery, type TAuditRow, type TCostStats, type TSampledCall } from '@/lib/reports/audit'
import { formatCount } from '@/lib/format'
import { asOrg } from '@/lib/db'

// The quarterly audit, printable: which workflows' eval traffic does not cost
// what their production traffic costs, with the samples behind each verdict.

export async function AuditReport({
  org,
  orgId,
  orgName,
  quarter,
  canExport,
}: {
  org: string
  orgId: string
  orgName: string
  quarter?: string
  canExport: boolean
}) {
  const q = ZAuditQuery.safeParse({ quarter: quarter || undefined })
  // for this organization only (row-level security: lib/db.ts); the page checked the member's access
  const a = await asOrg(orgId, () => quarterlyAudit(orgId, q.success ? q.data : {}, { samples: true }))
  const range = quarterRange(a.quarter)
  const flagged = a.workflows.filter((w) => w.flagged)
  const compared = a.workflows.filter((w) => w.status === 'flagged' || w.status === 'within')
  const api = (format: string) => `/api/v1/reports/audit?org=${encodeURIComponent(org)}&quarter=${a.quarter}&format=${format}`
  return (
    <div className="report space-y-6 print:space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm text-slate-500">{orgName}</p>
          <h1 className="text-2xl font-semibold">Quarterly audit: {a.quarter.replace('-', ' ')}</h1>
          <p className="max-w-3xl text-sm text-slate-600">
            {DAY_LABEL.format(new Date(range.from))} – {DAY_LABEL.format(new Date(range.to - 1))} (UTC). For each workflow, {a.sample_size} production calls
            (production traffic in the production environment) against {a.sample_size} of its eval and replay calls, each sample spread over the quarter’s days
            and, within a day, over its hours as the calls are (a quiet night hour gets its small share, no more); within an hour, calls a few places after a
            fixed pseudo-random time of that hour (the same calls every time the quarter is audited). A workflow is flagged when its production cost per call
            differs from eval’s by more than {a.ratio_limit}× either way: its eval spend does not predict its production spend.
          </p>
        </div>
        <div className="flex flex-wrap items-end gap-2 print:hidden">
          <form method="get" className="flex items-end gap-2" aria-label="Choose the quarter">
            <div>
              <label htmlFor="audit-quarter" className="block text-xs font-medium text-slate-600">
                Quarter (YYYY-Qn)
              </label>
              <Input id="audit-quarter" name="quarter" defaultValue={a.quarter} pattern="\d{4}-Q[1-4]" className="w-32 py-1.5" />
            </div>
            <Button type="submit" variant="secondary">
              Show
            </Button>
          </form>
          <PrintButton />
          {canExport && (
            <>
              <a
                href={api('csv')}
                download
                className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
              >
                Export CSV
              </a>
              <a
                href={api('samples_csv')}
                download
                className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
              >
                Sampled calls CSV
              </a>
            </>
          )}
          <Link href={`/${org}/reports/monthly`} className="px-2 py-2 text-sm text-brand-600 hover:underline">
            Monthly report
          </Link>
        </div>
      </div>
      {!q.success && (
        <Alert tone="warning">
          quarter: must be a quarter, YYYY-Qn (got “{quarter}”); showing {a.quarter}.
        </Alert>
      )}

      <div className="grid grid-cols-2 gap-4 lg:grid-cols-3 print:grid-cols-3 print:gap-2">
        <ReportKpi
          label="Workflows flagged"
          value={formatCount(flagged.length)}
          testId="audit-flagged"
          warn={flagged.length > 0}
          hint={flagged.length ? flagged.map((w) => w.workflow_id).join(', ') : 'eval spend tracks production spend'}
        />
        <ReportKpi label="Workflows compared" value={formatCount(compared.length)} hint="with both production and eval/replay calls" />
        <ReportKpi
          label="Without eval traffic"
          value={formatCount(a.workflows.filter((w) => w.status === 'no_eval').length)}
          hint="nothing to compare: their production cost is untested"
        />
      </div>

      {a.workflows.length === 0 ? (
        <Alert tone="info">
          No priced production or eval calls in {a.quarter}. Send events with <code>traffic_source</code> production and eval (or import evals with token
          totals) to audit them.
        </Alert>
      ) : (
        <ReportSection
          title="Cost per call: production against eval"
          long={a.workflows.length > 8}
          testId="audit-table"
          note="Cost per call in USD over the samples (an event standing for several calls counts as that many). Open a workflow for its evidence."
        >
          <AuditTable rows={a.workflows} />
        </ReportSection>
      )}

      {a.workflows.map((w) => (
        <Evidence key={w.workflow_id} org={org} row={w} samples={a.samples?.[w.workflow_id]} />
      ))}
    </div>
  )
}

function Evidence({ org, row, samples }: { org: string; row: TAuditRow; samples?: { production: TSampledCall[]; eval: TSampledCall[] } }) {
  return (
    <ReportSection
      title={`${row.workflow_id}: ${AUDIT_STATUS[row.status].label}`}
      testId={`audit-evidence-${row.workflow_id}`}
      note={
        <>
          <span id={`wf-${encodeURIComponent(row.workflow_id)}`} />
          {row.finding}{' '}
          <Link className="text-brand-600 hover:underline print:hidden" href={`/${org}/workflows/${encodeURIComponent(row.workflow_id)}`}>
            Workflow page
          </Link>
        </>
      }
    >
      <div className="grid gap-4 md:grid-cols-2 print:grid-cols-2">
        <Side title={`Production sample (${formatCount(row.production_calls)} calls in the quarter)`} stats={row.production} />
        <Side title={`Eval and replay sample (${formatCount(row.eval_calls)} calls in the quarter)`} stats={row.eval} />
      </div>
      {samples && (samples.production.length > 0 || samples.eval.length > 0) && (
        <details className="mt-3 print:hidden">
          <summary className="cursor-pointer text-sm text-brand-600">
            The sampled calls ({samples.production.length} production, {samples.eval.length} eval/replay), most expensive first
          </summary>
          <div className="mt-2 grid gap-4 md:grid-cols-2">
            {(['production', 'eval'] as const).map((side) => (
              <SamplesTable key={side} side={side} calls={samples[side]} />
            ))}
          </div>
        </details>
      )}
    </ReportSection>
  )
}

function Side({ title, stats }: { title: string; stats: TCostStats | null }) {
  return (
    <div>
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
      {!stats ? (
        <p className="mt-1 text-sm text-slate-600">No priced calls.</p>
      ) : (
        <>
          <p className="num mt-1 text-sm">
            {formatCount(stats.calls)} calls sampled: mean {perCall(stats.mean_usd)}, p50 {perCall(stats.p50_usd)}, p90 {perCall(stats.p90_usd)} (from{' '}
            {perCall(stats.min_usd)} to {perCall(stats.max_usd)})
          </p>
          <StepsTable steps={stats.steps} />
          <p className="mt-1 text-xs text-slate-500">
            Models:{' '}
            {stats.models
              .slice(0, 6)
              .map((m) => `${m.model} (${m.calls})`)
              .join(', ')}
          </p>
        </>
      )}
    </div>
  )
}
