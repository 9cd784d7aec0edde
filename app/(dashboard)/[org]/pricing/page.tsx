import { orgPage } from '@/components/layout/org-page'
import { Pricing } from '@/components/pricing/pricing'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function PricingPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/pricing`, (a) => <Pricing org={org} canWrite={can(a.membership.role, 'prices.write')} />)
}
