// GET /api/v1/runs/:run_id — one run's calls in order, with totals; "read" key or a member who reads spend.
import { withOrg } from '@/lib/http/route'
import * as api from '@/lib/calls/api'
import { getRun } from '@/lib/calls'

export const GET = withOrg(api.getRun, async ({ org, params }) => getRun(org.orgId, params.run_id))
