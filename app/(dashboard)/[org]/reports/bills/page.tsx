import { orgPage } from '@/components/layout/org-page'
import { ReportsTabs } from '@/components/reports/reports-tabs'
import { Bills } from '@/components/bills/bills'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

// Bills: what providers and clouds billed, imported for reconciliation (upload: finance and admin).
export default async function BillsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/reports/bills`, (a) => (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Bills</h1>
        <p className="text-sm text-slate-600">What providers and clouds actually billed, held against Outlay’s figures on Reconciliation.</p>
      </div>
      <ReportsTabs org={org} current="bills" />
      <Bills org={org} canWrite={can(a.membership.role, 'bills.write')} />
    </div>
  ))
}
