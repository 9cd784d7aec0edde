import { Suspense } from 'react'
import { orgPage } from '@/components/layout/org-page'
import { Forecast } from '@/components/forecast/forecast'

export const dynamic = 'force-dynamic'

export default async function ForecastPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/forecast`, () => (
    <Suspense>
      <Forecast org={org} />
    </Suspense>
  ))
}
