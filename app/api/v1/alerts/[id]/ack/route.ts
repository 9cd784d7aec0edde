// POST /api/v1/alerts/:id/ack — acknowledge an alert; "write" key or a session with alerts.write (admin, engineer, finance).
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { acknowledgeAlert } from '@/lib/alerts'
import { ZAlertId } from '@/lib/alerts/schema'

export const POST = withOrg(
  async (_req, { org, params }) => {
    const { id } = parseOrThrow(ZAlertId, { id: params.id }, 'Invalid alert id')
    await acknowledgeAlert(org.orgId, id)
    return json({ ok: true })
  },
  { scope: 'write', permission: 'alerts.write' },
)
