import { orgPage } from '@/components/layout/org-page'
import { Budgets } from '@/components/budgets/budgets'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function BudgetsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/budgets`, (a) => <Budgets org={org} canEdit={can(a.membership.role, 'budgets.write')} />)
}
