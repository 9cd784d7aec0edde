import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { Budgets } from '@/components/budgets/budgets'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function BudgetsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  const a = await requireAccess(org, 'metrics.read', `/${org}/budgets`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <Budgets org={org} canEdit={can(a.membership.role, 'budgets.write')} />
    </Shell>
  )
}
