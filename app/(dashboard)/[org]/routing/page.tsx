import { orgPage } from '@/components/layout/org-page'
import { Policies } from '@/components/routing/policies'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function RoutingPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/routing`, (a) => <Policies org={org} canEdit={can(a.membership.role, 'routing.write')} />)
}
