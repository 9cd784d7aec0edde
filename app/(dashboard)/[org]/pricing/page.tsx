import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { Pricing } from '@/components/pricing/pricing'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function PricingPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  const a = await requireAccess(org, 'metrics.read', `/${org}/pricing`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <Pricing org={org} canWrite={can(a.membership.role, 'prices.write')} />
    </Shell>
  )
}
