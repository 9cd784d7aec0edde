import { orgPage } from '@/components/layout/org-page'
import { Features } from '@/components/features/features'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function FeaturesPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/features`, (a) => <Features org={org} canWrite={can(a.membership.role, 'slos.write')} />)
}
