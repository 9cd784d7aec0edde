import { orgPage } from '@/components/layout/org-page'
import { Workflows } from '@/components/workflows/workflows'

export const dynamic = 'force-dynamic'

export default async function WorkflowsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/workflows`, () => <Workflows org={org} />)
}
