// GET /api/v1/alerts — budget and drift alerts, newest first, ?kind=<kinds, comma-separated>&state=open|acknowledged|resolved|muted&limit; "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { listAlerts } from '@/lib/alerts'
import { ZAlertListQuery } from '@/lib/alerts/schema'

export const GET = withOrg(async (_req, { org, query }) => json({ alerts: await listAlerts(org.orgId, query) }), { scope: 'read', permission: 'metrics.read', query: ZAlertListQuery })
