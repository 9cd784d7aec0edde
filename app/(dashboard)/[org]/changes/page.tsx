import { orgPage } from '@/components/layout/org-page'
import { Changes } from '@/components/changes/changes'

export const dynamic = 'force-dynamic'

export default async function ChangesPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/changes`, () => <Changes org={org} />)
}
