import { requireAccess } from '@/components/layout/require-access'
import { Shell } from '@/components/layout/shell'
import { Accounts } from '@/components/accounts/accounts'

export const dynamic = 'force-dynamic'

export default async function AccountsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  const a = await requireAccess(org, 'accounts.read', `/${org}/accounts`)
  if (!a.ok) return null
  return (
    <Shell org={org} orgName={a.membership.org.name} email={a.user.email} role={a.membership.role}>
      <Accounts org={org} />
    </Shell>
  )
}
