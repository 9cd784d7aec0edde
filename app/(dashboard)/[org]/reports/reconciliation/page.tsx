import { orgPage } from '@/components/layout/org-page'
import { ReportsTabs } from '@/components/reports/reports-tabs'
import { Reconciliation } from '@/components/bills/reconciliation'

export const dynamic = 'force-dynamic'

const day = (v: string | string[] | undefined) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined)

// Reconciliation: do Outlay's numbers match the invoice, and where not, why?
export default async function ReconciliationPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const { org } = await params
  const sp = await searchParams
  const initial = { from: day(sp.from), to: day(sp.to), granularity: sp.granularity === 'month' ? ('month' as const) : ('day' as const) }
  return orgPage(org, `/${org}/reports/reconciliation`, () => (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Reconciliation</h1>
        <p className="text-sm text-slate-600">Do Outlay’s numbers match the invoice, and where not, why? Computed cost against the imported bills.</p>
      </div>
      <ReportsTabs org={org} current="reconciliation" />
      <Reconciliation org={org} initial={initial} />
    </div>
  ))
}
