import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { Features } from '@/components/features/features'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function FeaturesPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  const a = await requireAccess(org, 'metrics.read', `/${org}/features`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <Features org={org} canWrite={can(a.membership.role, 'slos.write')} />
    </Shell>
  )
}
