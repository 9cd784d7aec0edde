import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { Overview } from '@/components/overview/overview'

export const dynamic = 'force-dynamic'

export default async function OverviewPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  const a = await requireAccess(org, 'metrics.read', `/${org}/overview`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <Overview org={org} />
    </Shell>
  )
}
