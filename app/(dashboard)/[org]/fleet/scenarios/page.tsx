import { Suspense } from 'react'
import { orgPage } from '@/components/layout/org-page'
import { Scenarios } from '@/components/fleet/scenarios'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function ScenariosPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/fleet/scenarios`, (a) => (
    <Suspense>
      <Scenarios org={org} canWrite={can(a.membership.role, 'fleet.write')} canWriteLineItems={can(a.membership.role, 'line_items.write')} />
    </Suspense>
  ))
}
