import { orgPage } from '@/components/layout/org-page'
import { RunView } from '@/components/calls/run-view'

export const dynamic = 'force-dynamic'

export default async function RunPage({ params }: { params: Promise<{ org: string; run: string }> }) {
  const { org, run } = await params
  return orgPage(org, `/${org}/calls/runs/${run}`, () => <RunView org={org} runId={decodeURIComponent(run)} />)
}
