import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { AccountDetail } from '@/components/accounts/account-detail'

export const dynamic = 'force-dynamic'

export default async function AccountPage({ params }: { params: Promise<{ org: string; account: string }> }) {
  const { org, account } = await params
  const id = decodeURIComponent(account)
  const a = await requireAccess(org, 'metrics.read', `/${org}/accounts/${account}`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <AccountDetail org={org} account={id} />
    </Shell>
  )
}
