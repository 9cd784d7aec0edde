// POST /api/v1/alerts/:id/mute {duration_hours} — mute the alert's source (its budget, or its detector and subject): its alerts are recorded and listed as muted, not notified; "write" key or alerts.write.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { muteAlertSource } from '@/lib/alerts'
import { ZAlertId, ZMuteBody } from '@/lib/alerts/schema'

export const POST = withOrg(
  async (req, { org, params }) => {
    const { id } = parseOrThrow(ZAlertId, { id: params.id }, 'Invalid alert id')
    const { duration_hours } = parseOrThrow(ZMuteBody, await readJson(req, 4096), 'Invalid mute')
    const mute = await muteAlertSource(org.orgId, id, new Date(Date.now() + duration_hours * 3600_000), org.userId)
    return json({ mute }, 201)
  },
  { scope: 'write', permission: 'alerts.write' },
)
