import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { WorkflowDetail } from '@/components/workflows/workflow-detail'

export const dynamic = 'force-dynamic'

export default async function WorkflowPage({ params }: { params: Promise<{ org: string; workflow: string }> }) {
  const { org, workflow } = await params
  const id = decodeURIComponent(workflow)
  const a = await requireAccess(org, 'metrics.read', `/${org}/workflows/${workflow}`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <WorkflowDetail org={org} workflow={id} />
    </Shell>
  )
}
