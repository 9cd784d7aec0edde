import { orgPage } from '@/components/layout/org-page'
import { BudgetDetail } from '@/components/budgets/budget-detail'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function BudgetPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org, id } = await params
  return orgPage(org, `/${org}/budgets/${id}`, (a) => <BudgetDetail org={org} id={id} canEdit={can(a.membership.role, 'budgets.write')} />)
}
