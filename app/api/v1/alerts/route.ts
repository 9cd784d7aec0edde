// GET /api/v1/alerts — budget and drift alerts, newest first (lib/alerts/api.ts); "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { listAlerts } from '@/lib/alerts'
import * as api from '@/lib/alerts/api'

export const GET = withOrg(api.listAlerts, async ({ org, query }) => ({ alerts: await listAlerts(org.orgId, query) }))
