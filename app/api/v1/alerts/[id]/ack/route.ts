// POST /api/v1/alerts/:id/ack — acknowledge an alert; "write" key or a session with alerts.write (admin, engineer, finance).
import { withOrg } from '@/lib/http/route'
import { acknowledgeAlert } from '@/lib/alerts'
import * as api from '@/lib/alerts/api'

export const POST = withOrg(api.acknowledgeAlert, async ({ org, params }) => {
  await acknowledgeAlert(org.orgId, params.id)
  return { ok: true as const }
})
