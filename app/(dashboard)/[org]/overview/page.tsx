import { orgPage } from '@/components/layout/org-page'
import { Overview } from '@/components/overview/overview'

export const dynamic = 'force-dynamic'

export default async function OverviewPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/overview`, () => <Overview org={org} />)
}
