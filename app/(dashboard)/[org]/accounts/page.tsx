import { orgPage } from '@/components/layout/org-page'
import { Accounts } from '@/components/accounts/accounts'

export const dynamic = 'force-dynamic'

export default async function AccountsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/accounts`, () => <Accounts org={org} />)
}
