import { SettingsBreadcrumb } from '@/components/layout/settings-breadcrumb'
import { orgPage } from '@/components/layout/org-page'
import { AuditLog } from '@/components/settings/audit-log'

export const dynamic = 'force-dynamic'

// Settings › Audit log: admins only (members.manage), like GET /api/v1/audit-log.
export default async function AuditLogPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(
    org,
    `/${org}/settings/audit-log`,
    () => (
      <>
        <SettingsBreadcrumb org={org} page="Audit log" />
        <h1 className="mb-6 text-2xl font-semibold">Audit log</h1>
        <AuditLog org={org} />
      </>
    ),
    'members.manage',
  )
}
