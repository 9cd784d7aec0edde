import { orgPage } from '@/components/layout/org-page'
import { BudgetDetail } from '@/components/budgets/budget-detail'

export const dynamic = 'force-dynamic'

export default async function BudgetPage({ params }: { params: Promise<{ org: string; id: string }> }) {
  const { org, id } = await params
  return orgPage(org, `/${org}/budgets/${id}`, () => <BudgetDetail org={org} id={id} />)
}
