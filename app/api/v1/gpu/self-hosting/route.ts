// GET /api/v1/gpu/self-hosting?days=30 — each pool's cost per million tokens at its real utilization beside the
// API price of the models it stands in for. "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { selfHosting } from '@/lib/gpu/self-hosting-query'
import * as api from '@/lib/gpu/api'

export const GET = withOrg(api.selfHosting, ({ org, query }) => selfHosting(org.orgId, query.days))
