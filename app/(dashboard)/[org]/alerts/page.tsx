import { orgPage } from '@/components/layout/org-page'
import { Alerts } from '@/components/alerts/alerts'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function AlertsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/alerts`, (a) => (
    <Alerts org={org} canEdit={can(a.membership.role, 'alerts.write')} canConfigure={can(a.membership.role, 'alerts.configure')} />
  ))
}
