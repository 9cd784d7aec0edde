// GET /api/v1/alerts — budget alerts fired, newest first; "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { listAlerts } from '@/lib/budgets/alerts'

export const GET = withOrg(async (_req, { org }) => json({ alerts: await listAlerts(org.orgId) }), { scope: 'read', permission: 'metrics.read' })
