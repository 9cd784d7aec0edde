import { orgPage } from '@/components/layout/org-page'
import { Pricing } from '@/components/pricing/pricing'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function PricingPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>
  searchParams: Promise<{ model?: string | string[] }>
}) {
  const { org } = await params
  // ?model=gpt-4.1: a link from a reconciliation row (or elsewhere) opens the page on that model's prices
  const { model } = await searchParams
  const focus = typeof model === 'string' ? model.trim().slice(0, 200) : ''
  return orgPage(org, `/${org}/pricing`, (a) => <Pricing org={org} canWrite={can(a.membership.role, 'prices.write')} focus={focus} />)
}
