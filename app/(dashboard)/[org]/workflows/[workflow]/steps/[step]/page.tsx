import { orgPage } from '@/components/layout/org-page'
import { DecisionRecord } from '@/components/workflows/decision-record'

export const dynamic = 'force-dynamic'

export default async function StepPage({ params }: { params: Promise<{ org: string; workflow: string; step: string }> }) {
  const { org, workflow, step } = await params
  return orgPage(org, `/${org}/workflows/${workflow}/steps/${step}`, () => (
    <DecisionRecord org={org} workflow={decodeURIComponent(workflow)} step={decodeURIComponent(step)} />
  ))
}
