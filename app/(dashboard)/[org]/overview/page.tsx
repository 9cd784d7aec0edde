import { orgPage } from '@/components/layout/org-page'
import { Overview } from '@/components/overview/overview'

export const dynamic = 'force-dynamic'

// The question the finance lead comes with (it is their first page after sign-in, lib/auth/permissions.ts LANDING):
// "How much have we spent on AI this month, will we land within budget, what is moving the number,
// is anything waiting on me, and do these figures match what the providers billed?"
// Answered in one glance: a headline row for the month (spend today and month to date against the month's
// budgets, the month-end forecast with its band, eval/replay/ops traffic, open alerts, unpriced calls, last
// month against the bill), then the panels that explain each, then the spend of the range picked above
// (components/overview/overview.tsx, components/overview/finance.tsx).

export default async function OverviewPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params
  return orgPage(org, `/${org}/overview`, () => <Overview org={org} />)
}
