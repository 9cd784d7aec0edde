// GET /api/v1/overview — the month to date as the whole bill ("read" key or fleet.read).
import { withOrg } from '@/lib/http/route'
import { overviewMonth } from '@/lib/overview'
import * as api from '@/lib/overview/api'

export const GET = withOrg(api.overview, async ({ org }) => overviewMonth(org.orgId))
