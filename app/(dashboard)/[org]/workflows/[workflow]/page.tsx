import { orgPage } from '@/components/layout/org-page'
import { WorkflowDetail } from '@/components/workflows/workflow-detail'

export const dynamic = 'force-dynamic'

export default async function WorkflowPage({ params }: { params: Promise<{ org: string; workflow: string }> }) {
  const { org, workflow } = await params
  return orgPage(org, `/${org}/workflows/${workflow}`, () => <WorkflowDetail org={org} workflow={decodeURIComponent(workflow)} />)
}
