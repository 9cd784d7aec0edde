import { Suspense } from 'react'
import { orgPage } from '@/components/layout/org-page'
import { can } from '@/lib/auth/permissions'
import { ReportSkeleton } from '@/components/reports/report-parts'
import { MonthlyReport } from '@/components/reports/monthly-report'
import { ReportsTabs } from '@/components/reports/reports-tabs'

export const dynamic = 'force-dynamic'

export default async function MonthlyReportPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const { org } = await params
  const { month } = await searchParams
  return orgPage(org, `/${org}/reports/monthly`, (a) => (
    <div className="space-y-6">
      <ReportsTabs org={org} current="monthly" />
      <Suspense fallback={<ReportSkeleton title="Monthly report" />}>
        <MonthlyReport
          org={org}
          orgId={a.membership.org.id}
          orgName={a.membership.org.name}
          canExport={can(a.membership.role, 'exports.read')}
          month={typeof month === 'string' ? month : undefined}
        />
      </Suspense>
    </div>
  ))
}
