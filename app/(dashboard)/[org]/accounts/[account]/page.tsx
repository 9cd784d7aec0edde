import { orgPage } from '@/components/layout/org-page'
import { AccountDetail } from '@/components/accounts/account-detail'

export const dynamic = 'force-dynamic'

export default async function AccountPage({ params }: { params: Promise<{ org: string; account: string }> }) {
  const { org, account } = await params
  return orgPage(org, `/${org}/accounts/${account}`, () => <AccountDetail org={org} account={decodeURIComponent(account)} />)
}
