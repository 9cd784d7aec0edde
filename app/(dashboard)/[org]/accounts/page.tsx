import { orgPage } from '@/components/layout/org-page'
import { Accounts } from '@/components/accounts/accounts'
import { RevenueUpload } from '@/components/accounts/revenue-upload'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function AccountsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/accounts`, (a) => (
    <div className="space-y-6">
      <Accounts org={org} />
      {/* revenue per account and month, for the margin columns (finance, admin) */}
      {can(a.membership.role, 'revenue.write') && <RevenueUpload org={org} />}
    </div>
  ))
}
