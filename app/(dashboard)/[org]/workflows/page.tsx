import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { Workflows } from '@/components/workflows/workflows'

export const dynamic = 'force-dynamic'

export default async function WorkflowsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  const a = await requireAccess(org, 'metrics.read', `/${org}/workflows`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <Workflows org={org} />
    </Shell>
  )
}
