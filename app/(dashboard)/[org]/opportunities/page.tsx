import { orgPage } from '@/components/layout/org-page'
import { Opportunities } from '@/components/opportunities/opportunities'

export const dynamic = 'force-dynamic'

export default async function OpportunitiesPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/opportunities`, () => <Opportunities org={org} />)
}
