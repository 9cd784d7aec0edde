import { orgPage } from '@/components/layout/org-page'
import { CallsExplorer } from '@/components/calls/calls-explorer'

export const dynamic = 'force-dynamic'

export default async function CallsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/calls`, () => <CallsExplorer org={org} />)
}
