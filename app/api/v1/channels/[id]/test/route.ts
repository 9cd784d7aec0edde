// POST /api/v1/channels/:id/test — queue a test notification (same signature, retries and delivery log as an alert); "write" key or alerts.configure (admin, engineer).
import { withOrg } from '@/lib/http/route'
import { sendTest } from '@/lib/notifications/channels'
import * as api from '@/lib/notifications/api'

export const POST = withOrg(api.testChannel, async ({ org, params }) => ({ delivery: await sendTest(org.orgId, params.id) }))
