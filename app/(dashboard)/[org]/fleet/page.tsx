import { Suspense } from 'react'
import { orgPage } from '@/components/layout/org-page'
import { Fleet } from '@/components/fleet/fleet'
import { can } from '@/lib/auth/permissions'

export const dynamic = 'force-dynamic'

export default async function FleetPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/fleet`, (a) => (
    <Suspense>
      <Fleet org={org} canWrite={can(a.membership.role, 'fleet.write')} />
    </Suspense>
  ))
}
