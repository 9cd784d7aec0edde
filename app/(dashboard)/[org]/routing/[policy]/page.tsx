import { orgPage } from '@/components/layout/org-page'
import { PolicyEditor } from '@/components/routing/policy-editor'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function PolicyPage({ params }: { params: Promise<{ org: string; policy: string }> }) {
  const { org, policy } = await params
  return orgPage(org, `/${org}/routing/${policy}`, (a) => <PolicyEditor org={org} id={policy} canEdit={can(a.membership.role, 'routing.write')} />)
}
