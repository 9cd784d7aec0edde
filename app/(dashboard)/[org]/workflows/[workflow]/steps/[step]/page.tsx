import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { DecisionRecord } from '@/components/workflows/decision-record'

export const dynamic = 'force-dynamic'

export default async function StepPage({ params }: { params: Promise<{ org: string; workflow: string; step: string }> }) {
  const { org, workflow, step } = await params
  const a = await requireAccess(org, 'metrics.read', `/${org}/workflows/${workflow}/steps/${step}`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <DecisionRecord org={org} workflow={decodeURIComponent(workflow)} step={decodeURIComponent(step)} />
    </Shell>
  )
}
