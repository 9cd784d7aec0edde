// POST /api/v1/alerts/:id/mute {duration_hours} — mute the alert's source (its budget, or its detector and subject): its alerts are recorded and listed as muted, not notified; "write" key or alerts.write.
import { withOrg } from '@/lib/http/route'
import { muteAlertSource } from '@/lib/alerts'
import * as api from '@/lib/alerts/api'

export const POST = withOrg(api.muteAlert, async ({ org, params, body }) => ({
  mute: await muteAlertSource(org.orgId, params.id, new Date(Date.now() + body.duration_hours * 3600_000), org.userId),
}))
