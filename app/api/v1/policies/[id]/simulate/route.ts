// GET /api/v1/policies/:id/simulate?days=30 — the draft (or the version in
// force) replayed over the step's production calls of the last N days:
// estimated vs actual cost, per month, share of calls per model, expected
// quality and escalations. A "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { simulatePolicy } from '@/lib/routing/policies'
import * as api from '@/lib/routing/api'

export const GET = withOrg(api.simulatePolicy, ({ org, params, query }) =>
  simulatePolicy(org.orgId, params.id, query.days, new Date(), { candidate: query.candidate }),
)
