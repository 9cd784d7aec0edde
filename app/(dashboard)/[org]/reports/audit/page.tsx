import { Suspense } from 'react'
import { orgPage } from '@/components/layout/org-page'
import { can } from '@/lib/auth/permissions'
import { ReportSkeleton } from '@/components/reports/report-parts'
import { AuditReport } from '@/components/reports/audit-report'

export const dynamic = 'force-dynamic'

export default async function AuditPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const { org } = await params
  const { quarter } = await searchParams
  return orgPage(org, `/${org}/reports/audit`, (a) => (
    <Suspense fallback={<ReportSkeleton title="Quarterly audit" />}>
      <AuditReport
        org={org}
        orgId={a.membership.org.id}
        orgName={a.membership.org.name}
        canExport={can(a.membership.role, 'exports.read')}
        quarter={typeof quarter === 'string' ? quarter : undefined}
      />
    </Suspense>
  ))
}
